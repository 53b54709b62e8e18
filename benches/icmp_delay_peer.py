#!/usr/bin/env python3
"""A delaying ping peer for benches/compare.sh rtt (this kernel has no netem): answers ICMP or
ICMPv6 echo requests from a raw socket a set time after the kernel received them. Run it in a
namespace whose kernel echo reply is off (net.ipv4.icmp_echo_ignore_all=1, and
net.ipv6.icmp.echo_ignore_all=1 for -6). Ends by itself after --max-seconds.

The delay counts from the request's kernel receive stamp (SO_TIMESTAMPNS), not from when this
process woke up, so Python's own wake-up time does not add to the delay; one sender thread
sleeps until just before each answer is due and spins the rest, as a timer thread per answer
overshot by half a millisecond on a loaded machine (more than the 2 % the bench allows).

  --delay-ms N     answer N ms after the request arrived (default 5)
  -6               ICMPv6 instead of ICMP
"""
import argparse
import heapq
import socket
import struct
import threading
import time

SO_TIMESTAMPNS = 35  # Linux; Python's socket module does not name it
ECHO_REQUEST = {socket.AF_INET: 8, socket.AF_INET6: 128}
ECHO_REPLY = {socket.AF_INET: 0, socket.AF_INET6: 129}


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, default=5.0)
    parser.add_argument("-6", dest="v6", action="store_true")
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args()

    family = socket.AF_INET6 if args.v6 else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if args.v6 else socket.IPPROTO_ICMP
    sock = socket.socket(family, socket.SOCK_RAW, proto)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.settimeout(0.2)
    due = []  # (when, sequence, reply, to), the earliest first
    ready = threading.Condition()
    end = time.monotonic() + args.max_seconds
    spin = 0.0005  # the last half millisecond before an answer is due is spun, not slept

    def sender() -> None:
        while time.monotonic() < end:
            with ready:
                if not due:
                    ready.wait(0.2)
                    continue
                left = due[0][0] - time.time()
                if left > spin:
                    ready.wait(left - spin)
                    continue
                when, _, reply, to = heapq.heappop(due)
            while time.time() < when:
                pass
            sock.sendto(reply, to)

    threading.Thread(target=sender, daemon=True).start()
    sequence = 0
    print("ready", flush=True)

    while time.monotonic() < end:
        try:
            packet, ancillary, _, source = sock.recvmsg(65535, 64)
        except socket.timeout:
            continue
        arrived = time.time()
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
                sec, nsec = struct.unpack("qq", data[:16])
                arrived = sec + nsec / 1e9
        # An IPv4 raw socket hands over the IP header too; an ICMPv6 one only the message.
        icmp = packet if args.v6 else packet[(packet[0] & 0x0F) * 4 :]
        if len(icmp) < 8 or icmp[0] != ECHO_REQUEST[family]:
            continue
        body = bytes([ECHO_REPLY[family], 0, 0, 0]) + icmp[4:]
        if not args.v6:  # the kernel sums ICMPv6 itself (it needs the pseudo-header)
            body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
        sequence += 1
        with ready:
            heapq.heappush(due, (arrived + args.delay_ms / 1000.0, sequence, body, source))
            ready.notify()


if __name__ == "__main__":
    main()
