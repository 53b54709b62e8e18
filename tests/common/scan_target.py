"""A scan target for tests/scan.rs: TCP listeners and a UDP service that answers.

Usage: scan_target.py --tcp PORT... --udp PORT...   (prints "ready" once every socket is open;
ends after 120 s at the latest, or when the test kills it)."""
import argparse
import select
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("--tcp", type=int, nargs="*", default=[])
parser.add_argument("--udp", type=int, nargs="*", default=[])
args = parser.parse_args()

listeners = []
for port in args.tcp:
    for family, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((host, port))
        s.listen(64)
        listeners.append(s)
answering = []
for port in args.udp:
    for family, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(family, socket.SOCK_DGRAM)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((host, port))
        answering.append(s)
print("ready", flush=True)

end = time.monotonic() + 120
while time.monotonic() < end:
    readable, _, _ = select.select(listeners + answering, [], [], 1.0)
    for s in readable:
        if s in answering:
            _, peer = s.recvfrom(2048)
            s.sendto(b"here", peer)
        else:
            conn, _ = s.accept()
            conn.close()
