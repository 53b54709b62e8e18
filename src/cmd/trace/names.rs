//! trace's printer: the hops in TTL order as they complete, each once the reverse lookups of
//! its addresses are in (each bounded by NAME_WAIT), while the probes are still out.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinSet};

use crate::error::Error;
use crate::output::Output;
use crate::output::trace::Hop;

/// How long a reverse lookup may take, per hop.
const NAME_WAIT: Duration = Duration::from_millis(1500);

/// The hops so far, the lookups out and the names found.
struct Printer<'a> {
    out: &'a mut Output,
    numeric: bool,
    hops: Vec<Hop>,
    /// How many hops are printed.
    shown: usize,
    lookups: JoinSet<(IpAddr, Option<String>)>,
    asked: HashSet<IpAddr>,
    pending: HashSet<IpAddr>,
    names: HashMap<IpAddr, String>,
}

/// Prints the hops in order as they complete; returns them all when the probes are done.
pub(super) async fn show(
    numeric: bool,
    mut arrivals: mpsc::UnboundedReceiver<Hop>,
    out: &mut Output,
) -> Result<Vec<Hop>, Error> {
    let mut p = Printer {
        out,
        numeric,
        hops: Vec::new(),
        shown: 0,
        lookups: JoinSet::new(),
        asked: HashSet::new(),
        pending: HashSet::new(),
        names: HashMap::new(),
    };
    let mut open = true;
    while open || !p.lookups.is_empty() {
        tokio::select! {
            arrival = arrivals.recv(), if open => match arrival {
                Some(hop) => p.hops.push(hop),
                None => open = false,
            },
            Some(joined) = p.lookups.join_next(), if !p.lookups.is_empty() => p.named(joined),
        }
        p.ask_names();
        p.print_ready()?;
    }
    p.print_rest()
}

impl Printer<'_> {
    /// A lookup is over.
    fn named(&mut self, joined: Result<(IpAddr, Option<String>), JoinError>) {
        if let Ok((a, name)) = joined {
            self.pending.remove(&a);
            if let Some(name) = name {
                self.names.insert(a, name);
            }
        }
    }

    /// Starts a lookup for each address of the unprinted hops not asked about yet (none with -n).
    fn ask_names(&mut self) {
        if self.numeric {
            return;
        }
        for hop in &self.hops[self.shown..] {
            for a in hop.probes.iter().filter_map(|p| p.address) {
                if self.asked.insert(a) {
                    self.pending.insert(a);
                    self.lookups.spawn(reverse_lookup(a));
                }
            }
        }
    }

    /// Prints the hops, in order, whose names are all in.
    fn print_ready(&mut self) -> Result<(), Error> {
        while let Some(hop) = self.hops.get_mut(self.shown) {
            let waiting = hop
                .probes
                .iter()
                .filter_map(|p| p.address)
                .any(|a| self.pending.contains(&a));
            if waiting {
                break;
            }
            name_hop(hop, &self.names);
            self.out.trace_hop(hop)?;
            self.shown += 1;
        }
        Ok(())
    }

    /// The hops left (only a failed lookup task leaves one unshown), and all of them.
    fn print_rest(mut self) -> Result<Vec<Hop>, Error> {
        for hop in self.hops.iter_mut().skip(self.shown) {
            name_hop(hop, &self.names);
            self.out.trace_hop(hop)?;
        }
        Ok(self.hops)
    }
}

/// A reverse lookup of one hop address, bounded by NAME_WAIT; None for no name.
pub(super) async fn reverse_lookup(a: IpAddr) -> (IpAddr, Option<String>) {
    let name = tokio::time::timeout(
        NAME_WAIT,
        tokio::task::spawn_blocking(move || dns_lookup::lookup_addr(&a)),
    )
    .await;
    let name = name.ok().and_then(Result::ok).and_then(Result::ok);
    (a, name.filter(|n| *n != a.to_string()))
}

/// Puts the names found for a hop's addresses on it.
fn name_hop(hop: &mut Hop, names: &HashMap<IpAddr, String>) {
    hop.names.clear();
    let mut seen: Vec<IpAddr> = Vec::new();
    for a in hop.probes.iter().filter_map(|p| p.address) {
        if !seen.contains(&a) {
            seen.push(a);
            if let Some(name) = names.get(&a) {
                hop.names.push((a, name.clone()));
            }
        }
    }
}
