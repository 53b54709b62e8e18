//! How `classify` reports look: the record and its serde shape here; the hand-written JSON
//! (`record.rs`), the card and the compact line (`card.rs`), the teaching view
//! (`explain.rs`), the classful and registry tables (`tables.rs`).

mod card;
mod explain;
mod record;
mod tables;

use std::io::Write;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::Output;
use super::Written;
use super::json::Json;
use crate::addr::Facts;
use crate::addr::subnet::Subnet;
use record::classified_json;

/// One classified input: what was typed, the facts of the address, and the subnet when the
/// input was CIDR. JSON: every field always present, null where it does not apply.
#[derive(Debug, Serialize)]
pub struct Classified {
    pub input: String,
    #[serde(flatten)]
    pub facts: Facts,
    /// The %zone of a link-local IPv6 input.
    pub zone: Option<String>,
    #[serde(flatten, serialize_with = "subnet_or_nulls")]
    pub subnet: Option<Subnet>,
}

/// The subnet's fields, or the same fields as nulls, so JSON records all have one shape.
const SUBNET_FIELDS: [&str; 10] = [
    "prefix",
    "netmask",
    "wildcard",
    "network",
    "broadcast",
    "first_host",
    "last_host",
    "addresses",
    "usable_hosts",
    "subnet_note",
];

fn subnet_or_nulls<S: Serializer>(subnet: &Option<Subnet>, s: S) -> Result<S::Ok, S::Error> {
    match subnet {
        Some(subnet) => subnet.serialize(s),
        None => {
            let mut st = s.serialize_struct("Subnet", SUBNET_FIELDS.len())?;
            for field in SUBNET_FIELDS {
                st.serialize_field(field, &None::<()>)?;
            }
            st.end()
        }
    }
}

/// How much to say about each address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// A card of labelled lines.
    Card,
    /// The card plus the binary marked up and a sentence per range.
    Explain,
    /// One compact line (streams).
    Line,
}

impl Output {
    /// Writes one classified address.
    pub fn classified(&mut self, c: &Classified, view: View) -> Written {
        if self.json() {
            return self.json_written(|line| {
                classified_json(&mut Json(line), c);
                Ok(())
            });
        }
        match view {
            View::Line => self.classified_line(c),
            View::Card | View::Explain => {
                self.card(c)?;
                if view == View::Explain {
                    self.explain(c)?;
                }
                Ok(writeln!(self)?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    #[test]
    fn records_have_one_shape_with_or_without_a_subnet() {
        let addr: IpAddr = "10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let net = "10.1.2.3/8".parse().unwrap_or_else(|e| panic!("{e}"));
        let keys = |subnet| {
            let c = Classified {
                input: "x".into(),
                facts: Facts::of(addr),
                zone: None,
                subnet,
            };
            let v = serde_json::to_value(&c).unwrap_or_default();
            let mut keys: Vec<String> = v
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            keys.sort();
            keys
        };
        let with = keys(Some(crate::addr::subnet::subnet(net)));
        let without = keys(None);
        assert_eq!(with, without);
        for field in SUBNET_FIELDS {
            assert!(with.iter().any(|k| k == field), "{field} missing");
        }
    }
}
