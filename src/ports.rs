//! What a port number means: its IANA range and the hand-outs' two-way grouping, its service
//! names (from /etc/services text or a built-in table of common IANA assignments), and the
//! port-spec grammar that `scan --ports` takes. Pure: no I/O (callers read files and pass text).

use std::ops::RangeInclusive;

use serde::Serialize;

/// The three IANA ranges (RFC 6335 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IanaRange {
    /// 0-1023, assigned by IETF review; binding needs privilege on Unix.
    WellKnown,
    /// 1024-49151, assigned by IANA on request.
    Registered,
    /// 49152-65535, never assigned: private use and ephemeral client ports.
    Dynamic,
}

impl IanaRange {
    pub fn of(port: u16) -> IanaRange {
        match port {
            0..=1023 => IanaRange::WellKnown,
            1024..=49151 => IanaRange::Registered,
            _ => IanaRange::Dynamic,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IanaRange::WellKnown => "well-known",
            IanaRange::Registered => "registered",
            IanaRange::Dynamic => "dynamic",
        }
    }

    pub fn span(self) -> &'static str {
        match self {
            IanaRange::WellKnown => "0-1023",
            IanaRange::Registered => "1024-49151",
            IanaRange::Dynamic => "49152-65535",
        }
    }
}

/// The two-way grouping that lab hand-outs teach: well-known below 1024, dynamic above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HandoutRange {
    WellKnown,
    Dynamic,
}

impl HandoutRange {
    pub fn of(port: u16) -> HandoutRange {
        if port < 1024 {
            HandoutRange::WellKnown
        } else {
            HandoutRange::Dynamic
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HandoutRange::WellKnown => "well-known",
            HandoutRange::Dynamic => "dynamic",
        }
    }
}

/// A transport protocol that has port numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    /// As in `80/tcp`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }

    /// As in "TCP port 7788".
    pub fn upper(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }
}

/// What a probed port answered, in nmap's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PortState {
    /// Something accepts connections or datagrams there.
    #[serde(rename = "open")]
    Open,
    /// The host answered that nothing listens there.
    #[serde(rename = "closed")]
    Closed,
    /// No answer, or an ICMP error from a filter: nothing tells whether something listens.
    #[serde(rename = "filtered")]
    Filtered,
    /// UDP silence: open, or a firewall dropped the probe; nothing tells which.
    #[serde(rename = "open|filtered")]
    OpenFiltered,
}

impl PortState {
    /// Open, or perhaps open (UDP silence): what nmap's --open lists.
    pub fn may_be_open(self) -> bool {
        matches!(self, PortState::Open | PortState::OpenFiltered)
    }

    pub fn name(self) -> &'static str {
        match self {
            PortState::Open => "open",
            PortState::Closed => "closed",
            PortState::Filtered => "filtered",
            PortState::OpenFiltered => "open|filtered",
        }
    }
}

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

/// Why a port or a port spec was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    #[error("empty port")]
    Empty,
    #[error("port {0} is negative; ports run from 0 to 65535")]
    Negative(String),
    #[error("port {0} is above 65535, the largest port number")]
    TooLarge(String),
    #[error("unknown service name '{0}' (not in the services database)")]
    UnknownService(String),
    #[error("'{0}' is not a port number or a service name")]
    NotAPort(String),
    #[error("empty port list")]
    EmptySpec,
    #[error("item {0} of the port list is empty (two commas in a row?)")]
    EmptyItem(usize),
    #[error("range '{0}' has no end")]
    OpenRange(String),
    #[error("range {start}-{end} is reversed: write {end}-{start}")]
    Reversed { start: u16, end: u16 },
}

/// Parses one port: a number 0-65535 or a service name.
pub fn parse_port(text: &str, services: &Services) -> Result<u16, PortError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PortError::Empty);
    }
    if let Some(rest) = text.strip_prefix('-')
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(PortError::Negative(text.to_string()));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u16>()
            .map_err(|_| PortError::TooLarge(text.to_string()));
    }
    let looks_like_name = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'/'));
    if !looks_like_name {
        return Err(PortError::NotAPort(text.to_string()));
    }
    services
        .port_of(text)
        .ok_or_else(|| PortError::UnknownService(text.to_string()))
}

/// The words a port spec understands, with the ranges they stand for. Scanning starts at 1:
/// port 0 is scanned only when named.
pub const SPEC_WORDS: [(&str, RangeInclusive<u16>); 5] = [
    ("well-known", 1..=1023),
    ("dynamic", 1024..=65535),
    ("registered", 1024..=49151),
    ("ephemeral", 49152..=65535),
    ("all", 1..=65535),
];

/// A set of ports, kept as sorted, merged, inclusive ranges; iterated lazily.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSet {
    ranges: Vec<RangeInclusive<u16>>,
}

impl PortSet {
    /// Parses `22,80,8000-8100,https,well-known`: numbers, ranges, service names and the
    /// words of [`SPEC_WORDS`], comma-separated; overlaps are merged.
    pub fn parse(spec: &str, services: &Services) -> Result<PortSet, PortError> {
        if spec.trim().is_empty() {
            return Err(PortError::EmptySpec);
        }
        let mut ranges = Vec::new();
        for (i, item) in spec.split(',').enumerate() {
            let item = item.trim();
            if item.is_empty() {
                return Err(PortError::EmptyItem(i + 1));
            }
            ranges.push(parse_item(item, services)?);
        }
        Ok(PortSet::from_ranges(ranges))
    }

    /// Builds a set from ranges in any order, merging overlapping and adjacent ones.
    pub fn from_ranges(mut ranges: Vec<RangeInclusive<u16>>) -> PortSet {
        ranges.sort_by_key(|r| *r.start());
        let mut merged: Vec<RangeInclusive<u16>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if u32::from(*r.start()) <= u32::from(*last.end()) + 1 => {
                    if r.end() > last.end() {
                        *last = *last.start()..=*r.end();
                    }
                }
                _ => merged.push(r),
            }
        }
        PortSet { ranges: merged }
    }

    /// How many ports the set holds.
    pub fn len(&self) -> usize {
        self.ranges.iter().map(|r| r.len()).sum()
    }

    /// The ports in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.ranges.iter().cloned().flatten()
    }
}

/// `22,80,8000-8100`: the set as a spec that parses back to it.
impl std::fmt::Display for PortSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, r) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if r.start() == r.end() {
                write!(f, "{}", r.start())?;
            } else {
                write!(f, "{}-{}", r.start(), r.end())?;
            }
        }
        Ok(())
    }
}

fn parse_item(item: &str, services: &Services) -> Result<RangeInclusive<u16>, PortError> {
    if let Some((_, range)) = SPEC_WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(item))
    {
        return Ok(range.clone());
    }
    // A range has a dash between two parts that are not part of a service name like "ftp-data".
    if let Some((a, b)) = item.split_once('-')
        && (a.is_empty() || a.bytes().all(|c| c.is_ascii_digit()))
        && (b.is_empty() || b.bytes().all(|c| c.is_ascii_digit()))
    {
        if a.is_empty() {
            return Err(PortError::Negative(item.to_string()));
        }
        if b.is_empty() {
            return Err(PortError::OpenRange(item.to_string()));
        }
        let (start, end) = (parse_port(a, services)?, parse_port(b, services)?);
        if start > end {
            return Err(PortError::Reversed { start, end });
        }
        return Ok(start..=end);
    }
    let port = parse_port(item, services)?;
    Ok(port..=port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Services {
        Services::new(None)
    }

    fn spec(s: &str) -> Result<Vec<(u16, u16)>, String> {
        PortSet::parse(s, &builtin())
            .map(|set| set.ranges.iter().map(|r| (*r.start(), *r.end())).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn ranges_at_their_boundaries() {
        let cases = [
            (0, IanaRange::WellKnown, HandoutRange::WellKnown),
            (1023, IanaRange::WellKnown, HandoutRange::WellKnown),
            (1024, IanaRange::Registered, HandoutRange::Dynamic),
            (49151, IanaRange::Registered, HandoutRange::Dynamic),
            (49152, IanaRange::Dynamic, HandoutRange::Dynamic),
            (65535, IanaRange::Dynamic, HandoutRange::Dynamic),
        ];
        for (port, iana, handout) in cases {
            assert_eq!(IanaRange::of(port), iana, "port {port}");
            assert_eq!(HandoutRange::of(port), handout, "port {port}");
        }
    }

    #[test]
    fn parses_ports_and_names() {
        let s = builtin();
        let cases = [
            ("0", 0),
            ("80", 80),
            ("65535", 65535),
            ("https", 443),
            ("HTTP", 80),
            ("ntp", 123),
        ];
        for (input, port) in cases {
            assert_eq!(parse_port(input, &s), Ok(port), "input {input:?}");
        }
    }

    #[test]
    fn rejects_bad_ports_with_the_reason() {
        let s = builtin();
        let cases = [
            ("70000", "port 70000 is above 65535"),
            ("65536", "port 65536 is above 65535"),
            ("99999999999999999999", "is above 65535"),
            ("-1", "port -1 is negative"),
            ("abc", "unknown service name 'abc'"),
            ("8 0", "'8 0' is not a port number"),
            ("", "empty port"),
        ];
        for (input, reason) in cases {
            let got = parse_port(input, &s).map_err(|e| e.to_string());
            assert!(
                got.as_ref().is_err_and(|e| e.contains(reason)),
                "input {input:?}: got {got:?}"
            );
        }
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

    #[test]
    fn port_specs() {
        let cases: [(&str, Vec<(u16, u16)>); 10] = [
            ("22", vec![(22, 22)]),
            (
                "22,80,8000-8100,https",
                vec![(22, 22), (80, 80), (443, 443), (8000, 8100)],
            ),
            ("well-known", vec![(1, 1023)]),
            ("dynamic", vec![(1024, 65535)]),
            ("registered", vec![(1024, 49151)]),
            ("ephemeral", vec![(49152, 65535)]),
            ("all", vec![(1, 65535)]),
            ("0,well-known", vec![(0, 1023)]),
            ("80-90,85-100,101", vec![(80, 101)]),
            ("ftp-data, ssh ,22", vec![(20, 20), (22, 22)]),
        ];
        for (input, want) in cases {
            assert_eq!(spec(input), Ok(want), "spec {input:?}");
        }
    }

    #[test]
    fn bad_port_specs() {
        let cases = [
            ("", "empty port list"),
            ("22,,80", "item 2 of the port list is empty"),
            ("100-50", "range 100-50 is reversed: write 50-100"),
            ("80-", "range '80-' has no end"),
            ("-80", "port -80 is negative"),
            ("1-70000", "port 70000 is above 65535"),
            ("nosuchsvc", "unknown service name 'nosuchsvc'"),
            ("22;80", "'22;80' is not a port number"),
        ];
        for (input, reason) in cases {
            let got = spec(input);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(reason)),
                "spec {input:?}: got {got:?}"
            );
        }
    }

    #[test]
    fn set_size_and_iteration() {
        let set = PortSet::parse("1-3,10,2-4", &builtin()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.len(), 5);
        assert_eq!(set.iter().collect::<Vec<_>>(), [1, 2, 3, 4, 10]);
        let all = PortSet::parse("all", &builtin()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.len(), 65535);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn no_spec_panics(spec in "\\PC{0,40}") {
                let _ = PortSet::parse(&spec, &builtin());
                let _ = parse_port(&spec, &builtin());
            }

            #[test]
            fn a_set_prints_as_a_spec_that_parses_back_to_it(
                ranges in proptest::collection::vec((0u16..=65535, 0u16..=300), 1..8)
            ) {
                let ranges: Vec<RangeInclusive<u16>> = ranges
                    .into_iter()
                    .map(|(start, len)| start..=start.saturating_add(len))
                    .collect();
                let set = PortSet::from_ranges(ranges);
                let text = set.to_string();
                prop_assert_eq!(PortSet::parse(&text, &builtin()), Ok(set), "{}", text);
            }
        }
    }
}
