"""A tiny DNS server for tests, inside a namespace of the test's own.

Usage: dns_responder.py ADDRESS NAME=IPV4...   (prints "ready" once its socket is open)
Answers A queries for the NAMEs given, NXDOMAIN for every other name; runs at most 5 minutes.
"""
import socket
import struct
import sys
import time

names = dict(arg.split("=", 1) for arg in sys.argv[2:])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((sys.argv[1], 53))
sock.settimeout(1.0)
print("ready", flush=True)
end = time.monotonic() + 300
while time.monotonic() < end:
    try:
        query, peer = sock.recvfrom(512)
    except socket.timeout:
        continue
    if len(query) < 12:
        continue
    ident, flags, qdcount = struct.unpack("!HHH", query[:6])
    labels, i = [], 12
    while i < len(query) and query[i] != 0:
        n = query[i]
        labels.append(query[i + 1 : i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    question = query[12 : i + 5]
    qtype = struct.unpack("!H", query[i + 1 : i + 3])[0] if i + 3 <= len(query) else 0
    name = ".".join(labels).lower()
    known = name in names
    answer = b""
    if known and qtype == 1:
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(names[name])
    rcode = 0 if known else 3
    header = struct.pack("!HHHHHH", ident, 0x8180 | rcode, 1, 1 if answer else 0, 0, 0)
    sock.sendto(header + question + answer, peer)
