//! `Count`: how many addresses or subnets, from 0 to 2^128 (all of IPv6, one more than a u128
//! holds), and how JSON carries it: a number while it fits a u64, a decimal string above.
//! Pure: no I/O.

use std::fmt;

use serde::{Serialize, Serializer};

/// 2^128 in decimal: the addresses of ::/0, and the /128s it splits into.
const TWO_POW_128: &str = "340282366920938463463374607431768211456";

/// A count from 0 to 2^128. `u128` stops at 2^128 - 1, and ::/0 holds 2^128 addresses and
/// 2^128 subnets of /128: a saturated u128 would say one fewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Count(Inner);

/// Below 2^128, or 2^128 itself; the derived order puts every `Below` first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Inner {
    Below(u128),
    TwoPow128,
}

impl Count {
    /// 2^128: the addresses of ::/0.
    pub const ALL_IPV6: Count = Count(Inner::TwoPow128);

    /// 2^bits, the count of `bits` free prefix bits; no prefix has more than 128, so a
    /// larger `bits` is taken as 128.
    pub fn power_of_two(bits: u32) -> Count {
        match 1u128.checked_shl(bits) {
            Some(n) if bits < 128 => Count(Inner::Below(n)),
            _ => Count::ALL_IPV6,
        }
    }

    /// The count as a u128, if it is below 2^128.
    pub fn to_u128(self) -> Option<u128> {
        match self.0 {
            Inner::Below(n) => Some(n),
            Inner::TwoPow128 => None,
        }
    }

    /// The count as a u64, if it fits one.
    pub fn to_u64(self) -> Option<u64> {
        self.to_u128().and_then(|n| u64::try_from(n).ok())
    }

    /// This count less `n`, or zero if `n` is more.
    pub fn saturating_sub(self, n: u128) -> Count {
        match self.0 {
            Inner::Below(m) => Count(Inner::Below(m.saturating_sub(n))),
            // 2^128 - n = (2^128 - 1) - (n - 1), which fits a u128 for every n ≥ 1.
            Inner::TwoPow128 => match n.checked_sub(1) {
                Some(less) => Count(Inner::Below(u128::MAX - less)),
                None => self,
            },
        }
    }
}

impl From<u128> for Count {
    fn from(n: u128) -> Count {
        Count(Inner::Below(n))
    }
}

impl From<u64> for Count {
    fn from(n: u64) -> Count {
        Count(Inner::Below(u128::from(n)))
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Inner::Below(n) => write!(f, "{n}"),
            Inner::TwoPow128 => f.write_str(TWO_POW_128),
        }
    }
}

/// A number while it fits a u64 (what JSON readers take as an integer), a decimal string
/// above: 18446744073709551616 and 2^128 are strings.
impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.to_u64() {
            Some(n) => s.serialize_u64(n),
            None => s.collect_str(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_two_up_to_all_of_ipv6() {
        let cases = [
            (0, "1"),
            (1, "2"),
            (64, "18446744073709551616"),
            (127, "170141183460469231731687303715884105728"),
            (128, TWO_POW_128),
            (200, TWO_POW_128),
        ];
        for (bits, want) in cases {
            assert_eq!(Count::power_of_two(bits).to_string(), want, "2^{bits}");
        }
        assert!(Count::power_of_two(127) < Count::ALL_IPV6);
        assert!(Count::from(u128::MAX) < Count::ALL_IPV6);
        assert_eq!(Count::ALL_IPV6.to_u128(), None);
    }

    #[test]
    fn what_is_left_after_some_are_shown() {
        // input, minus, left
        let cases = [
            (Count::ALL_IPV6, 0, TWO_POW_128),
            (
                Count::ALL_IPV6,
                1,
                "340282366920938463463374607431768211455",
            ),
            (
                Count::ALL_IPV6,
                1024,
                "340282366920938463463374607431768210432",
            ),
            (Count::from(10u64), 4, "6"),
            (Count::from(10u64), 40, "0"),
        ];
        for (count, minus, want) in cases {
            assert_eq!(
                count.saturating_sub(minus).to_string(),
                want,
                "{count} - {minus}"
            );
        }
    }

    #[test]
    fn json_has_a_number_while_it_fits_a_u64_and_a_string_above() {
        let json = |c: Count| serde_json::to_string(&c).unwrap_or_default();
        assert_eq!(json(Count::from(256u64)), "256");
        assert_eq!(
            json(Count::from(u128::from(u64::MAX))),
            "18446744073709551615"
        );
        assert_eq!(json(Count::power_of_two(64)), "\"18446744073709551616\"");
        assert_eq!(json(Count::ALL_IPV6), format!("\"{TWO_POW_128}\""));
    }
}
