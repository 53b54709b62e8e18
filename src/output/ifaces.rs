//! How `ifaces` reports look: a table with one row per address (the default), ifconfig-style
//! blocks with counters (`--long`), or one JSON document.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

use super::Written;
use super::{Output, Paint, kind_and_class};
use crate::addr::Kind;
use crate::addr::class::Class;
use crate::addr::special::Block;

/// The whole answer: interfaces and default routes.
#[derive(Debug, Serialize)]
pub struct IfacesReport {
    pub interfaces: Vec<Interface>,
    pub default_routes: Vec<DefaultRoute>,
}

/// One interface. `None` (JSON null) where the platform does not give a fact.
#[derive(Debug, Serialize)]
pub struct Interface {
    pub name: String,
    pub index: u32,
    /// IFF_* names, as ifconfig lists them (RUNNING and LOWER_UP included).
    pub flags: Vec<&'static str>,
    /// The raw flag bits, for the ifconfig-style view.
    #[serde(skip)]
    pub flags_value: Option<u32>,
    pub up: Option<bool>,
    pub running: Option<bool>,
    pub loopback: Option<bool>,
    pub mtu: Option<u32>,
    pub mac: Option<String>,
    pub kind: Option<String>,
    pub ipv4: Vec<Ipv4Entry>,
    pub ipv6: Vec<Ipv6Entry>,
    pub stats: Option<Counters>,
}

/// Traffic counters since the interface appeared, as the platform gave them.
#[derive(Debug, Clone, Serialize)]
pub struct Counters {
    pub rx_bytes: u64,
    pub rx_packets: u64,
    pub rx_errors: u64,
    pub rx_dropped: u64,
    pub tx_bytes: u64,
    pub tx_packets: u64,
    pub tx_errors: u64,
    pub tx_dropped: u64,
}

/// An IPv4 address on an interface, classified.
#[derive(Debug, Serialize)]
pub struct Ipv4Entry {
    pub address: Ipv4Addr,
    pub prefix: u8,
    pub netmask: Ipv4Addr,
    /// The broadcast address configured on it; null where none is set (as `ip addr` shows).
    pub broadcast: Option<Ipv4Addr>,
    /// IFA_F_* names: secondary, permanent, noprefixroute, ...
    pub flags: Vec<&'static str>,
    pub kind: Kind,
    pub class: Option<Class>,
    pub private: bool,
    pub loopback: bool,
    pub link_local: bool,
    pub global: Option<bool>,
    pub ranges: Vec<&'static Block>,
}

/// An IPv6 address on an interface, classified.
#[derive(Debug, Serialize)]
pub struct Ipv6Entry {
    pub address: IpAddr,
    pub prefix: u8,
    /// host, link, site or global.
    pub scope: Option<&'static str>,
    /// The interface name, for a link-local address (`fe80::1%eth0`).
    pub zone: Option<String>,
    /// IFA_F_* names: tentative, temporary, deprecated, permanent, nodad, ...
    pub flags: Vec<&'static str>,
    pub kind: Kind,
    pub private: bool,
    pub loopback: bool,
    pub link_local: bool,
    pub global: Option<bool>,
    pub ranges: Vec<&'static Block>,
}

/// A default route: where packets for anywhere else go.
#[derive(Debug, Serialize)]
pub struct DefaultRoute {
    /// "ipv4" or "ipv6".
    pub family: &'static str,
    pub gateway: Option<IpAddr>,
    pub interface: Option<String>,
}

impl Output {
    /// Writes the interfaces: JSON, the ifconfig-style blocks, or the table.
    pub fn ifaces(&mut self, report: &IfacesReport, long: bool) -> Written {
        if self.json() {
            return self.json_line(report);
        }
        if long {
            for iface in &report.interfaces {
                self.iface_block(iface)?;
            }
        } else {
            self.iface_table(&report.interfaces)?;
            writeln!(self)?;
        }
        self.default_routes(&report.default_routes)
    }

    fn iface_table(&mut self, interfaces: &[Interface]) -> Written {
        let mut table = self.table(&["INTERFACE", "STATE", "ADDRESS", "WHAT IT IS", "MAC", "MTU"]);
        for iface in interfaces {
            let mac = iface.mac.clone().unwrap_or_else(|| "-".to_string());
            let mtu = iface.mtu.map_or("-".to_string(), |m| m.to_string());
            let mut rows: Vec<(String, String)> = Vec::new();
            for a in &iface.ipv4 {
                rows.push((
                    format!("{}/{}", a.address, a.prefix),
                    format!("{}{}", kind_and_class(a.kind, a.class), flag_note(&a.flags)),
                ));
            }
            for a in &iface.ipv6 {
                rows.push((
                    format!("{}/{}", a.address, a.prefix),
                    format!("{}{}", a.kind.label(), flag_note(&a.flags)),
                ));
            }
            if rows.is_empty() {
                rows.push(("-".to_string(), "no address".to_string()));
            }
            for (address, what) in rows {
                table.add_row([
                    iface.name.clone(),
                    state(iface).to_string(),
                    address,
                    what,
                    mac.clone(),
                    mtu.clone(),
                ]);
            }
        }
        self.write_table(&mut table, 0)
    }

    /// ifconfig's layout, so lab hand-outs still match, with each address classified.
    fn iface_block(&mut self, iface: &Interface) -> Written {
        self.block_heading(iface)?;
        self.block_addresses(iface)?;
        if let Some(mac) = &iface.mac {
            writeln!(self, "        ether {mac}")?;
        } else if iface.loopback == Some(true) {
            writeln!(self, "        loop  (Local Loopback)")?;
        }
        if let Some(counters) = &iface.stats {
            self.block_counters(counters)?;
        }
        Ok(writeln!(self)?)
    }

    /// `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500  index 2  kind veth`.
    fn block_heading(&mut self, iface: &Interface) -> Written {
        let name = self.paint(Paint::Bold, &iface.name).into_owned();
        let flags = match iface.flags_value {
            // ifconfig shows the 16 bits of the classic ifr_flags.
            Some(value) => {
                let names: Vec<&str> = iface
                    .flags
                    .iter()
                    .copied()
                    .filter(|n| !matches!(*n, "LOWER_UP" | "DORMANT" | "ECHO"))
                    .collect();
                format!("flags={}<{}>  ", value & 0xffff, names.join(","))
            }
            None => String::new(),
        };
        let mtu = iface.mtu.map_or(String::new(), |m| format!("mtu {m}"));
        let kind = iface.kind.as_deref().unwrap_or("unknown");
        Ok(writeln!(
            self,
            "{name}: {flags}{mtu}  index {}  kind {kind}",
            iface.index
        )?)
    }

    /// The `inet` and `inet6` lines, each address classified.
    fn block_addresses(&mut self, iface: &Interface) -> Written {
        for a in &iface.ipv4 {
            let broadcast = a
                .broadcast
                .map_or(String::new(), |b| format!("  broadcast {b}"));
            writeln!(
                self,
                "        inet {}  netmask {}{broadcast}  ({}){}",
                a.address,
                a.netmask,
                kind_and_class(a.kind, a.class),
                flag_note(&a.flags)
            )?;
        }
        for a in &iface.ipv6 {
            let zone = a.zone.as_ref().map_or(String::new(), |z| format!("%{z}"));
            writeln!(
                self,
                "        inet6 {}{zone}  prefixlen {}  scopeid {}  ({}){}",
                a.address,
                a.prefix,
                scope_id(a.scope),
                a.kind.label(),
                flag_note(&a.flags)
            )?;
        }
        Ok(())
    }

    /// The RX and TX lines, with bytes also in ifconfig's human units.
    fn block_counters(&mut self, s: &Counters) -> Written {
        writeln!(
            self,
            "        RX packets {}  bytes {} ({})",
            s.rx_packets,
            s.rx_bytes,
            human_bytes(s.rx_bytes)
        )?;
        writeln!(
            self,
            "        RX errors {}  dropped {}",
            s.rx_errors, s.rx_dropped
        )?;
        writeln!(
            self,
            "        TX packets {}  bytes {} ({})",
            s.tx_packets,
            s.tx_bytes,
            human_bytes(s.tx_bytes)
        )?;
        Ok(writeln!(
            self,
            "        TX errors {}  dropped {}",
            s.tx_errors, s.tx_dropped
        )?)
    }

    fn default_routes(&mut self, routes: &[DefaultRoute]) -> Written {
        if routes.is_empty() {
            return Ok(writeln!(self, "no default route")?);
        }
        for r in routes {
            let via = r.gateway.map_or(String::new(), |g| format!(" via {g}"));
            let dev = r
                .interface
                .as_ref()
                .map_or(String::new(), |i| format!(" dev {i}"));
            let family = if r.family == "ipv6" { "  (IPv6)" } else { "" };
            writeln!(self, "default{via}{dev}{family}")?;
        }
        Ok(())
    }
}

/// up, no carrier (up but no link), or down.
fn state(iface: &Interface) -> &'static str {
    match (iface.up, iface.running) {
        (Some(true), Some(true)) => "up",
        (Some(true), Some(false)) => "no carrier",
        (Some(false), _) => "down",
        (Some(true), None) => "up",
        (None, _) => "-",
    }
}

/// The address flags worth a reader's attention, in brackets.
fn flag_note(flags: &[&str]) -> String {
    let shown: Vec<&str> = flags
        .iter()
        .copied()
        .filter(|f| !matches!(*f, "permanent" | "noprefixroute" | "nodad"))
        .collect();
    if shown.is_empty() {
        String::new()
    } else {
        format!(" [{}]", shown.join(", "))
    }
}

/// Bytes as ifconfig (net-tools 2.10) prints them beside the count: one decimal, binary units.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value > 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// ifconfig's `scopeid 0x20<link>` (the IPV6_ADDR_* scope bits it prints).
fn scope_id(scope: Option<&str>) -> String {
    match scope {
        Some("host") => "0x10<host>".to_string(),
        Some("link") => "0x20<link>".to_string(),
        Some("site") => "0x40<site>".to_string(),
        Some("global") => "0x0<global>".to_string(),
        Some(other) => other.to_string(),
        None => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_in_human_units() {
        // As ifconfig printed them on this machine: 3193 bytes is "3.1 KiB".
        let cases = [
            (0, "0.0 B"),
            (1024, "1024.0 B"),
            (3193, "3.1 KiB"),
            (4_367_892, "4.2 MiB"),
        ];
        for (bytes, want) in cases {
            assert_eq!(human_bytes(bytes), want, "{bytes}");
        }
    }
}
