//! A port number's range: IANA's three (RFC 6335), the hand-outs' two, and the range an OS
//! chooses ports from (`LocalRange`, read elsewhere). Pure.

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

/// The ports an operating system chooses from when a socket binds port 0 or connects
/// without binding (the "ephemeral" ports a client gets): on Linux,
/// `net.ipv4.ip_local_port_range` (it serves IPv6 too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LocalRange {
    pub first: u16,
    pub last: u16,
}

impl LocalRange {
    /// Linux's default ip_local_port_range.
    pub const LINUX_DEFAULT: LocalRange = LocalRange {
        first: 32768,
        last: 60999,
    };

    /// IANA's dynamic range (RFC 6335 §6), never assigned to a service and meant for such
    /// ports; what Windows and the BSDs choose from.
    pub const IANA_DYNAMIC: LocalRange = LocalRange {
        first: 49152,
        last: 65535,
    };

    /// Whether `port` is one the OS may choose.
    pub fn contains(self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }
}

impl std::fmt::Display for LocalRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_local_ranges_and_what_they_hold() {
        let linux = LocalRange::LINUX_DEFAULT;
        // port, in Linux's default, in IANA's dynamic range
        let cases = [
            (0, false, false),
            (32767, false, false),
            (32768, true, false),
            (49152, true, true),
            (60999, true, true),
            (61000, false, true),
            (65535, false, true),
        ];
        for (port, in_linux, in_iana) in cases {
            assert_eq!(linux.contains(port), in_linux, "port {port} in {linux}");
            assert_eq!(
                LocalRange::IANA_DYNAMIC.contains(port),
                in_iana,
                "port {port} in IANA's"
            );
        }
        assert_eq!(linux.to_string(), "32768-60999");
        assert_eq!(
            IanaRange::Dynamic.span(),
            LocalRange::IANA_DYNAMIC.to_string()
        );
    }
}
