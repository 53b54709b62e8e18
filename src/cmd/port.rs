//! `netkit port`: what each port number or service name means.

use crate::cli::PortArgs;
use crate::error::{Error, Outcome};
use crate::net::owners;
use crate::net::services::{self, Source};
use crate::output::Output;
use crate::output::port::{Listening, PortReport};
use crate::ports::{HandoutRange, Holder, IanaRange, LocalRange, PortSet, Services};

pub fn run(args: &PortArgs, out: &mut Output) -> Result<Outcome, Error> {
    let source = match (&args.services_file, args.builtin) {
        (_, true) => Source::Builtin,
        (Some(path), false) => Source::File(path),
        (None, false) => Source::System,
    };
    let services = services::load(source)?;
    // One look at the socket tables, for every port asked about.
    let holders = owners::holders(None, None);
    if args.listening {
        out.listening(&listening(holders, &services))?;
        return Ok(Outcome::Success);
    }
    // The range the kernel chooses client ports from (per network namespace).
    let local = crate::net::local_port_range().map(|(first, last)| LocalRange { first, last });
    let answers = answers(&args.ports, &holders, &services, local);
    out.ports(&answers, local)?;
    Ok(if answers.iter().all(Result::is_ok) {
        Outcome::Success
    } else {
        Outcome::BadInput
    })
}

/// `--listening`: each socket with what its port means.
fn listening(holders: Vec<Holder>, services: &Services) -> Vec<Listening> {
    holders
        .into_iter()
        .map(|holder| {
            let port = holder.address.port();
            Listening {
                port,
                iana_range: IanaRange::of(port),
                services: services.names(port, holder.protocol),
                holder,
            }
        })
        .collect()
}

/// One answer per port of each input, in input order; an input that does not parse is one
/// error in its place.
fn answers(
    inputs: &[String],
    holders: &[Holder],
    services: &Services,
    local: Option<LocalRange>,
) -> Vec<Result<PortReport, (String, String)>> {
    let mut answers = Vec::new();
    for input in inputs {
        match PortSet::parse(input, services) {
            Ok(set) => {
                answers.reserve(set.len());
                answers.extend(set.iter().map(|port| {
                    Ok(PortReport {
                        input: input.clone(),
                        port,
                        iana_range: IanaRange::of(port),
                        handout_range: HandoutRange::of(port),
                        local_port_range: local,
                        in_local_port_range: local.map(|range| range.contains(port)),
                        services: services.of_port(port),
                        held_by: holders
                            .iter()
                            .filter(|h| h.address.port() == port)
                            .cloned()
                            .collect(),
                    })
                }))
            }
            Err(e) => answers.push(Err((input.clone(), e.to_string()))),
        }
    }
    answers
}
