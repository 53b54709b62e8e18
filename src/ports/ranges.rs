//! A port number's range: IANA's three (RFC 6335) and the hand-outs' two. Pure.

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
}
