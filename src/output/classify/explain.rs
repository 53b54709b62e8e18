//! classify's teaching view: the bits marked up, then one sentence per fact.

use std::io::Write;
use std::net::IpAddr;

use super::Classified;
use crate::addr::class::Class;
use crate::output::{Output, Paint, Written};

impl Output {
    /// The teaching view: the bits marked up, then one sentence per fact.
    pub(super) fn explain(&mut self, c: &Classified) -> Written {
        self.field("how to read it", "")?;
        match (c.facts.address, c.facts.class) {
            (IpAddr::V4(_), Some(class)) => {
                self.class_bits(c, class)?;
                self.class_notes(c)?;
            }
            _ => {
                self.hex_digits(c)?;
                self.ipv6_notes(c)?;
            }
        }
        self.range_notes(c)
    }

    /// The binary form with the class's leading bits marked, then where the classful and the
    /// CIDR split fall.
    fn class_bits(&mut self, c: &Classified, class: Class) -> Written {
        let f = &c.facts;
        let bits = class.leading_bits();
        let binary = f.binary.to_string();
        let colored = format!(
            "{}{}",
            self.paint(Paint::Magenta, &binary[..bits.len()]),
            &binary[bits.len()..]
        );
        writeln!(self, "    {colored}")?;
        writeln!(
            self,
            "    {:<35}  the leading bits {bits} make it class {}",
            "^".repeat(bits.len()),
            class.letter()
        )?;
        if let (Some(p), Some(net), Some(host)) =
            (class.default_prefix(), f.classful_network, f.host_part)
        {
            writeln!(
                self,
                "    {}  classful /{p}: n = network {net}, h = host {host}",
                split_marks(p, 32, 8, '.')
            )?;
        }
        if let Some(s) = &c.subnet {
            writeln!(
                self,
                "    {}  CIDR /{}: n = network {}, h = host",
                split_marks(s.prefix, 32, 8, '.'),
                s.prefix,
                s.network
            )?;
        }
        Ok(())
    }

    /// That classes are history, and the class's own note.
    fn class_notes(&mut self, c: &Classified) -> Written {
        writeln!(
            self,
            "    - Classes are history: since CIDR (RFC 4632, 1993) the prefix length, not the leading bits, decides where the network ends."
        )?;
        if let Some(note) = c.facts.class_note {
            writeln!(self, "    - {}", sentence(note))?;
        }
        if let IpAddr::V4(v4) = c.facts.address {
            let words = super::card::classful_end_words(v4);
            if !words.is_empty() {
                writeln!(self, "    - {}", sentence(&words.join("; ")))?;
            }
        }
        Ok(())
    }

    /// The expanded IPv6 form, with where the prefix splits it.
    fn hex_digits(&mut self, c: &Classified) -> Written {
        if let Some(expanded) = &c.facts.expanded {
            writeln!(self, "    {expanded}")?;
            if let Some(s) = &c.subnet {
                writeln!(
                    self,
                    "    {}  /{}: n = network (4 bits a digit), h = interface",
                    split_marks(s.prefix, 128, 16, ':'),
                    s.prefix
                )?;
            }
        }
        Ok(())
    }

    /// A multicast scope, and an IPv4 address carried inside.
    fn ipv6_notes(&mut self, c: &Classified) -> Written {
        let f = &c.facts;
        if f.multicast
            && let Some(scope) = f.scope
        {
            writeln!(
                self,
                "    - The fourth hex digit sets the multicast scope: {scope}; the group is not sent beyond it."
            )?;
        }
        if let Some(e) = &f.embedded_ipv4 {
            writeln!(
                self,
                "    - It carries the IPv4 address {} ({}) {}.",
                e.facts.address,
                e.facts.kind.label(),
                carried(e.via),
            )?;
        }
        Ok(())
    }

    /// A sentence per special-purpose range (or that there is none), and the prefix's note.
    fn range_notes(&mut self, c: &Classified) -> Written {
        let f = &c.facts;
        for b in &f.ranges {
            writeln!(self, "    - {}", b.explain)?;
        }
        if f.ranges.is_empty() && f.global == Some(true) {
            writeln!(
                self,
                "    - It is in no special-purpose block: an ordinary public address, routable on the internet."
            )?;
        }
        if let Some(s) = &c.subnet {
            writeln!(self, "    - /{}: {}.", s.prefix, s.note)?;
        }
        Ok(())
    }
}

/// Where and how an IPv6 address carries an IPv4 one, by the embedding's name.
fn carried(via: &str) -> &'static str {
    match via {
        "ipv4-mapped" => "in its last 32 bits, as an IPv4-mapped address",
        "nat64" => "in its last 32 bits, for a NAT64 translator",
        "6to4" => "in bits 16-47, as the site's 6to4 prefix",
        _ => "as a Teredo client, stored inverted in the last 32 bits",
    }
}

/// `n`/`h` under each bit (or hex digit, for IPv6) of an address written in groups.
fn split_marks(prefix: u8, bits: u32, group: u32, sep: char) -> String {
    let prefix = u32::from(prefix);
    let per_char = if bits == 128 { 4 } else { 1 };
    let chars_per_group = group / per_char;
    let mut out = String::new();
    for i in 0..bits / per_char {
        if i > 0 && i.is_multiple_of(chars_per_group) {
            out.push(sep);
        }
        let start = i * per_char;
        out.push(match (start + per_char <= prefix, start >= prefix) {
            (true, _) => 'n',
            (_, true) => 'h',
            _ => '~',
        });
    }
    out
}

/// A note as a sentence: capital first letter, closing full stop.
fn sentence(note: &str) -> String {
    let mut s = String::with_capacity(note.len() + 1);
    let mut chars = note.chars();
    if let Some(c) = chars.next() {
        s.extend(c.to_uppercase());
        s.push_str(chars.as_str());
    }
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_marks_follow_the_prefix() {
        assert_eq!(
            split_marks(16, 32, 8, '.'),
            "nnnnnnnn.nnnnnnnn.hhhhhhhh.hhhhhhhh"
        );
        assert_eq!(
            split_marks(26, 32, 8, '.'),
            "nnnnnnnn.nnnnnnnn.nnnnnnnn.nnhhhhhh"
        );
        assert_eq!(
            split_marks(0, 32, 8, '.'),
            "hhhhhhhh.hhhhhhhh.hhhhhhhh.hhhhhhhh"
        );
        assert_eq!(
            split_marks(66, 128, 16, ':'),
            "nnnn:nnnn:nnnn:nnnn:~hhh:hhhh:hhhh:hhhh"
        );
    }
}
