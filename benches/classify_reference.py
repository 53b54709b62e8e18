#!/usr/bin/env python3
"""The peer for `netkit classify --json -`: the same IPv4 fields computed with Python's
standard library (ipaddress, json), one JSON object per input line, as a lab script would.
Written to be fair: networks are built once, lookups use ipaddress's own membership test."""
import ipaddress
import json
import sys

# (block, name, rfc, source, destination, forwardable, globally_reachable, reserved_by_protocol)
T, F, NA = True, False, None
SPECIAL = [
    ("0.0.0.0/8", '"This network"', "RFC 791 §3.2", T, F, F, F, T),
    ("0.0.0.0/32", '"This host on this network"', "RFC 1122 §3.2.1.3", T, F, F, F, T),
    ("10.0.0.0/8", "Private-Use", "RFC 1918", T, T, T, F, F),
    ("100.64.0.0/10", "Shared Address Space", "RFC 6598", T, T, T, F, F),
    ("127.0.0.0/8", "Loopback", "RFC 1122 §3.2.1.3", F, F, F, F, T),
    ("169.254.0.0/16", "Link Local", "RFC 3927", T, T, F, F, T),
    ("172.16.0.0/12", "Private-Use", "RFC 1918", T, T, T, F, F),
    ("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890 §2.1", F, F, F, F, F),
    ("192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", T, T, T, F, F),
    ("192.0.0.8/32", "IPv4 dummy address", "RFC 7600", T, F, F, F, F),
    ("192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", T, T, T, T, F),
    ("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", T, T, T, T, F),
    ("192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", F, F, F, F, T),
    ("192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", F, F, F, F, T),
    ("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", F, F, F, F, F),
    ("192.31.196.0/24", "AS112-v4", "RFC 7535", T, T, T, T, F),
    ("192.52.193.0/24", "AMT", "RFC 7450", T, T, T, T, F),
    ("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", NA, NA, NA, NA, NA),
    ("192.88.99.2/32", "6a44-relay anycast address", "RFC 6751", T, T, T, F, F),
    ("192.168.0.0/16", "Private-Use", "RFC 1918", T, T, T, F, F),
    ("192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", T, T, T, T, F),
    ("198.18.0.0/15", "Benchmarking", "RFC 2544", T, T, T, F, F),
    ("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", F, F, F, F, F),
    ("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", F, F, F, F, F),
    ("240.0.0.0/4", "Reserved", "RFC 1112 §4", F, F, F, F, T),
    ("255.255.255.255/32", "Limited Broadcast", "RFC 8190, RFC 919 §7", F, T, F, F, T),
]
MULTICAST = [
    ("224.0.0.0/4", "Multicast", "RFC 5771"),
    ("224.0.0.0/24", "Local Network Control Block", "RFC 5771"),
    ("224.0.1.0/24", "Internetwork Control Block", "RFC 5771"),
    ("232.0.0.0/8", "Source-Specific Multicast Block", "RFC 4607"),
    ("233.0.0.0/8", "GLOP Block", "RFC 3180"),
    ("234.0.0.0/8", "Unicast-Prefix-based IPv4 Multicast Addresses", "RFC 6034"),
    ("239.0.0.0/8", "Administratively Scoped Block", "RFC 2365"),
]
BLOCKS = [(ipaddress.ip_network(b), dict(name=n, block=b, rfc=r, source=s, destination=d,
           forwardable=f, globally_reachable=g, reserved_by_protocol=res, registry="ipv4-special"))
          for b, n, r, s, d, f, g, res in SPECIAL]
BLOCKS += [(ipaddress.ip_network(b), dict(name=n, block=b, rfc=r, source=None, destination=None,
            forwardable=None, globally_reachable=None, reserved_by_protocol=None,
            registry="ipv4-multicast")) for b, n, r in MULTICAST]
PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
SHARED = ipaddress.ip_network("100.64.0.0/10")
DOCS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
BENCH = ipaddress.ip_network("198.18.0.0/15")
CLASSES = [  # leading bits, first, last, default prefix
    ("A", "0", "0.0.0.0", "127.255.255.255", 8),
    ("B", "10", "128.0.0.0", "191.255.255.255", 16),
    ("C", "110", "192.0.0.0", "223.255.255.255", 24),
    ("D", "1110", "224.0.0.0", "239.255.255.255", None),
    ("E", "1111", "240.0.0.0", "255.255.255.255", None),
]


def classify(text):
    addr = ipaddress.IPv4Address(text)  # strict: rejects leading zeros since Python 3.9.5
    n = int(addr)
    first = n >> 24
    letter, bits, lo, hi, prefix = CLASSES[
        0 if first < 128 else 1 if first < 192 else 2 if first < 224 else 3 if first < 240 else 4]
    mask = network = host = None
    if prefix:
        m = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
        mask = str(ipaddress.IPv4Address(m))
        network = str(ipaddress.IPv4Address(n & m))
        host = str(ipaddress.IPv4Address(n & ~m & 0xFFFFFFFF))
    ranges = sorted((b for b in BLOCKS if addr in b[0]), key=lambda b: -b[0].prefixlen)
    special = [b for b in ranges if b[1]["registry"] == "ipv4-special"]
    multicast = addr.is_multicast
    glob = None if multicast else (special[0][1]["globally_reachable"] if special else True)
    return {
        "input": text, "address": str(addr), "version": 4, "class": letter, "class_bits": bits,
        "class_range": {"first": lo, "last": hi}, "classful_mask": mask,
        "classful_network": network, "host_part": host,
        "binary": ".".join(format(o, "08b") for o in addr.packed),
        "hex": "0x%08x" % n, "decimal": n,
        "private": any(addr in p for p in PRIVATE), "loopback": addr.is_loopback,
        "link_local": addr.is_link_local, "multicast": multicast,
        "limited_broadcast": n == 0xFFFFFFFF, "unspecified": addr.is_unspecified,
        "shared": addr in SHARED, "documentation": any(addr in d for d in DOCS),
        "benchmarking": addr in BENCH, "reserved": first >= 240 and n != 0xFFFFFFFF,
        "global": glob, "ranges": [b[1] for b in ranges],
        "expanded": None, "scope": None, "embedded_ipv4": None,
    }


def main():
    out = sys.stdout
    for line in sys.stdin:
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            record = classify(text)
        except ValueError as e:
            record = {"input": text, "error": str(e)}
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")


if __name__ == "__main__":
    main()
