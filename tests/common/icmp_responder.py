#!/usr/bin/env python3
"""A simulated ping peer for tests: answers ICMP echo requests from a raw socket after a set
delay (this kernel has no netem). Run it inside a namespace whose kernel echo reply is off
(net.ipv4.icmp_echo_ignore_all=1). It ends by itself after --max-seconds.

  --delay-ms N     answer N ms after the request arrived
  --duplicate      answer every request twice
  --mirror-ttl     send each reply with the TTL the request arrived with (to check -t)
"""
import argparse
import socket
import struct
import threading
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--duplicate", action="store_true")
    parser.add_argument("--mirror-ttl", action="store_true")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.settimeout(0.2)
    lock = threading.Lock()
    end = time.monotonic() + args.max_seconds
    print("ready", flush=True)

    def answer(reply: bytes, to: str, ttl: int) -> None:
        with lock:
            if args.mirror_ttl:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
            for _ in range(2 if args.duplicate else 1):
                sock.sendto(reply, (to, 0))

    while time.monotonic() < end:
        try:
            packet, (source, _) = sock.recvfrom(65535)
        except socket.timeout:
            continue
        header = (packet[0] & 0x0F) * 4
        ttl = packet[8]
        icmp = packet[header:]
        if len(icmp) < 8 or icmp[0] != 8:  # only echo requests
            continue
        # Echo reply: type 0, code 0, checksum over the message with a zero checksum field.
        unsummed = bytes([0, 0, 0, 0]) + icmp[4:]
        reply = bytes([0, 0]) + struct.pack("!H", checksum(unsummed)) + icmp[4:]
        threading.Timer(args.delay_ms / 1000.0, answer, (reply, source, ttl)).start()


if __name__ == "__main__":
    main()
