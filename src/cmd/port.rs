//! `netkit port`: what each port number or service name means.

use std::path::Path;

use crate::cli::PortArgs;
use crate::error::{Error, Outcome};
use crate::output::Output;
use crate::output::port::PortReport;
use crate::ports::{HandoutRange, IanaRange, PortSet, ServiceDb, Services};

// Unix
#[cfg(not(windows))]
const SYSTEM_SERVICES: &str = "/etc/services";
// Windows
#[cfg(windows)]
const SYSTEM_SERVICES: &str = r"C:\Windows\System32\drivers\etc\services";

pub fn run(args: &PortArgs, out: &mut Output) -> Result<Outcome, Error> {
    let system = match (&args.services_file, args.builtin) {
        (_, true) => None,
        (Some(path), false) => Some(read_services(path)?),
        // Where the system has no database, the built-in table answers alone.
        (None, false) => read_services(Path::new(SYSTEM_SERVICES)).ok(),
    };
    let services = Services::new(system);
    let mut answers: Vec<Result<PortReport, (String, String)>> = Vec::new();
    for input in &args.ports {
        match PortSet::parse(input, &services) {
            Ok(set) => {
                answers.reserve(set.len());
                answers.extend(set.iter().map(|port| {
                    Ok(PortReport {
                        input: input.clone(),
                        port,
                        iana_range: IanaRange::of(port),
                        handout_range: HandoutRange::of(port),
                        services: services.of_port(port),
                    })
                }))
            }
            Err(e) => answers.push(Err((input.clone(), e.to_string()))),
        }
    }
    out.ports(&answers)?;
    Ok(if answers.iter().all(Result::is_ok) {
        Outcome::Success
    } else {
        Outcome::BadInput
    })
}

fn read_services(path: &Path) -> Result<ServiceDb, Error> {
    std::fs::read_to_string(path)
        .map(|text| ServiceDb::parse(&text))
        .map_err(|source| Error::Read {
            what: path.display().to_string(),
            source,
        })
}
