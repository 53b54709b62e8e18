//! Service names: a services(5) database parsed from text, netkit's built-in table of common
//! IANA assignments, and the two together (the system's first). Pure: callers read the file.

use serde::Serialize;

use super::Protocol;

/// Where a service name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The system's services database (/etc/services).
    System,
    /// netkit's built-in table.
    Builtin,
}

/// A service name for one protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub name: String,
    pub protocol: Protocol,
    pub source: Source,
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    aliases: Vec<String>,
    port: u16,
    protocol: Protocol,
}

/// One services database: port/protocol to names and back.
#[derive(Debug, Clone, Default)]
pub struct ServiceDb {
    entries: Vec<Entry>,
}

use Protocol::{Tcp, Udp};
const BOTH: &[Protocol] = &[Tcp, Udp];
const TCP: &[Protocol] = &[Tcp];
const UDP: &[Protocol] = &[Udp];

/// Common IANA service-name assignments (Service Name and Transport Protocol Port Number
/// Registry), used where the system has no services database.
const BUILTIN: &[(u16, &str, &[Protocol])] = &[
    (7, "echo", BOTH),
    (9, "discard", BOTH),
    (13, "daytime", BOTH),
    (17, "qotd", BOTH),
    (19, "chargen", BOTH),
    (20, "ftp-data", TCP),
    (21, "ftp", TCP),
    (22, "ssh", TCP),
    (23, "telnet", TCP),
    (25, "smtp", TCP),
    (37, "time", BOTH),
    (43, "whois", TCP),
    (49, "tacacs", BOTH),
    (53, "domain", BOTH),
    (67, "bootps", UDP),
    (68, "bootpc", UDP),
    (69, "tftp", UDP),
    (70, "gopher", TCP),
    (79, "finger", TCP),
    (80, "http", BOTH),
    (88, "kerberos", BOTH),
    (110, "pop3", TCP),
    (111, "sunrpc", BOTH),
    (113, "ident", TCP),
    (119, "nntp", TCP),
    (123, "ntp", UDP),
    (135, "epmap", BOTH),
    (137, "netbios-ns", UDP),
    (138, "netbios-dgm", UDP),
    (139, "netbios-ssn", TCP),
    (143, "imap", TCP),
    (161, "snmp", UDP),
    (162, "snmptrap", UDP),
    (179, "bgp", TCP),
    (194, "irc", TCP),
    (389, "ldap", BOTH),
    (427, "svrloc", BOTH),
    (443, "https", BOTH),
    (445, "microsoft-ds", TCP),
    (464, "kpasswd", BOTH),
    (465, "submissions", TCP),
    (500, "isakmp", UDP),
    (513, "login", TCP),
    (514, "shell", TCP),
    (514, "syslog", UDP),
    (515, "printer", TCP),
    (520, "router", UDP),
    (546, "dhcpv6-client", UDP),
    (547, "dhcpv6-server", UDP),
    (554, "rtsp", BOTH),
    (587, "submission", TCP),
    (631, "ipp", TCP),
    (636, "ldaps", TCP),
    (853, "domain-s", BOTH),
    (873, "rsync", TCP),
    (989, "ftps-data", TCP),
    (990, "ftps", TCP),
    (993, "imaps", TCP),
    (995, "pop3s", TCP),
    (1080, "socks", TCP),
    (1194, "openvpn", BOTH),
    (1433, "ms-sql-s", TCP),
    (1434, "ms-sql-m", UDP),
    (1701, "l2f", UDP),
    (1723, "pptp", TCP),
    (1812, "radius", UDP),
    (1813, "radius-acct", UDP),
    (1883, "mqtt", TCP),
    (2049, "nfs", BOTH),
    (3306, "mysql", TCP),
    (3389, "ms-wbt-server", TCP),
    (3478, "stun", BOTH),
    (4500, "ipsec-nat-t", UDP),
    (5060, "sip", BOTH),
    (5061, "sips", TCP),
    (5353, "mdns", UDP),
    (5432, "postgresql", TCP),
    (5672, "amqp", TCP),
    (5683, "coap", UDP),
    (5900, "rfb", TCP),
    (6379, "redis", TCP),
    (6514, "syslog-tls", TCP),
    (8080, "http-alt", TCP),
    (8883, "secure-mqtt", TCP),
    (9418, "git", TCP),
    (11211, "memcache", BOTH),
    (27017, "mongodb", TCP),
];

impl ServiceDb {
    /// netkit's own table of common assignments.
    pub fn builtin() -> ServiceDb {
        let entries = BUILTIN
            .iter()
            .flat_map(|&(port, name, protocols)| {
                protocols.iter().map(move |&protocol| Entry {
                    name: name.to_string(),
                    aliases: Vec::new(),
                    port,
                    protocol,
                })
            })
            .collect();
        ServiceDb { entries }
    }

    /// Reads the services(5) format: `name port/protocol [aliases...] [# comment]`.
    /// Lines that do not fit are skipped, as libc's getservent does.
    pub fn parse(text: &str) -> ServiceDb {
        let entries = text
            .lines()
            .filter_map(|line| {
                let line = line.split('#').next().unwrap_or("");
                let mut words = line.split_whitespace();
                let name = words.next()?;
                let (port, protocol) = words.next()?.split_once('/')?;
                let protocol = match protocol {
                    "tcp" => Tcp,
                    "udp" => Udp,
                    _ => return None,
                };
                Some(Entry {
                    name: name.to_string(),
                    aliases: words.map(str::to_string).collect(),
                    port: port.parse().ok()?,
                    protocol,
                })
            })
            .collect();
        ServiceDb { entries }
    }

    fn names(&self, port: u16, protocol: Protocol) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(move |e| e.port == port && e.protocol == protocol)
            .map(|e| e.name.as_str())
    }

    fn port_of(&self, name: &str) -> Option<u16> {
        let matches = |e: &&Entry| {
            e.name.eq_ignore_ascii_case(name)
                || e.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        };
        let mut found = self.entries.iter().filter(matches);
        let first = found.next()?;
        // Prefer the TCP entry when a name has both (they nearly always agree).
        Some(match first.protocol {
            Tcp => first.port,
            Udp => found
                .find(|e| e.protocol == Tcp)
                .map_or(first.port, |e| e.port),
        })
    }
}

/// The system database backed by the built-in table: a port or name missing from the system's
/// file is looked up in the table.
#[derive(Debug, Clone)]
pub struct Services {
    system: Option<ServiceDb>,
    builtin: ServiceDb,
}

impl Services {
    /// `system` is the parsed /etc/services, or `None` where there is none.
    pub fn new(system: Option<ServiceDb>) -> Services {
        Services {
            system,
            builtin: ServiceDb::builtin(),
        }
    }

    /// The names of `port` for TCP then UDP.
    pub fn of_port(&self, port: u16) -> Vec<Service> {
        [Tcp, Udp]
            .into_iter()
            .flat_map(|protocol| self.names(port, protocol))
            .collect()
    }

    /// The names of `port` for one protocol: the system's if it has any, else the built-in ones.
    pub fn names(&self, port: u16, protocol: Protocol) -> Vec<Service> {
        let from = |db: &ServiceDb, source| -> Vec<Service> {
            db.names(port, protocol)
                .map(|name| Service {
                    name: name.to_string(),
                    protocol,
                    source,
                })
                .collect()
        };
        let system = self.system.as_ref().map(|db| from(db, Source::System));
        match system {
            Some(found) if !found.is_empty() => found,
            _ => from(&self.builtin, Source::Builtin),
        }
    }

    /// The port a service name stands for.
    pub fn port_of(&self, name: &str) -> Option<u16> {
        self.system
            .as_ref()
            .and_then(|db| db.port_of(name))
            .or_else(|| self.builtin.port_of(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Services {
        Services::new(None)
    }

    #[test]
    fn system_database_wins_and_builtin_fills_gaps() {
        let system = ServiceDb::parse(
            "# comment\nwww 80/tcp http-web # alias\nlabsvc 7788/udp\nbroken line\nnoport x/tcp\n",
        );
        let s = Services::new(Some(system));
        let tcp80 = s.names(80, Protocol::Tcp);
        assert_eq!(tcp80.len(), 1);
        assert_eq!(
            (tcp80[0].name.as_str(), tcp80[0].source),
            ("www", Source::System)
        );
        let ssh = s.names(22, Protocol::Tcp);
        assert_eq!(
            (ssh[0].name.as_str(), ssh[0].source),
            ("ssh", Source::Builtin)
        );
        assert_eq!(s.port_of("labsvc"), Some(7788));
        assert_eq!(s.port_of("http-web"), Some(80), "aliases count");
        assert_eq!(s.port_of("ssh"), Some(22), "builtin fallback");
        assert!(s.names(7788, Protocol::Tcp).is_empty());
    }

    #[test]
    fn of_port_lists_tcp_then_udp() {
        let names: Vec<(String, Protocol)> = builtin()
            .of_port(53)
            .into_iter()
            .map(|s| (s.name, s.protocol))
            .collect();
        assert_eq!(
            names,
            [
                ("domain".into(), Protocol::Tcp),
                ("domain".into(), Protocol::Udp)
            ]
        );
        assert!(builtin().of_port(50000).is_empty());
    }
}
