#!/usr/bin/env python3
"""Load for the echo benchmark; the same client for every server, so the servers are what
differ. Talks to 127.0.0.1 only.

  echo_load.py clients PORT N       N TCP clients connect (all held open), then each does
                                    one round trip; prints {"served", "clients", "seconds"}
  echo_load.py udp PORT SOCKETS S   SOCKETS processes, each a UDP socket doing ping-pong for
                                    S seconds; prints {"round_trips", "per_second"}
  echo_load.py stream PORT BYTES    one TCP connection: a thread writes BYTES of zeros in 64 KiB
                                    pieces while the main thread reads the echo and counts it,
                                    the same work iperf3 does per direction (no file, no
                                    compare); prints {"bytes", "seconds", "mb_per_s"}
"""
import asyncio
import json
import multiprocessing
import socket
import sys
import threading
import time


async def clients(port: int, n: int) -> None:
    start = time.monotonic()
    conns = []
    for i in range(0, n, 500):  # connect in waves: the accept queue is finite
        batch = await asyncio.gather(
            *(asyncio.open_connection("127.0.0.1", port) for _ in range(min(500, n - i))),
            return_exceptions=True,
        )
        conns.extend(c for c in batch if not isinstance(c, BaseException))

    async def round_trip(i, reader, writer):
        message = f"client {i:06d}".encode()
        writer.write(message)
        await writer.drain()
        data = await asyncio.wait_for(reader.readexactly(len(message)), 30)
        return data == message

    results = await asyncio.gather(
        *(round_trip(i, r, w) for i, (r, w) in enumerate(conns)), return_exceptions=True
    )
    served = sum(1 for r in results if r is True)
    for _, w in conns:
        w.close()
    print(json.dumps({"served": served, "clients": n, "seconds": time.monotonic() - start}))


def pingpong(port: int, seconds: float, out) -> None:
    done = 0
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("127.0.0.1", port))
        s.settimeout(1)
        end = time.monotonic() + seconds
        payload = b"x" * 64
        while time.monotonic() < end:
            try:
                s.send(payload)
                s.recv(2048)
                done += 1
            except (socket.timeout, ConnectionRefusedError):
                # A lost round trip (or a port-unreachable while a forking server
                # re-binds): counted as missing, and the ping-pong goes on.
                pass
    finally:
        out.put(done)


def udp(port: int, sockets: int, seconds: float) -> None:
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=pingpong, args=(port, seconds, out)) for _ in range(sockets)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    print(json.dumps({"round_trips": total, "per_second": total / seconds}))


def stream(port: int, total: int) -> None:
    piece = 64 * 1024
    conn = socket.create_connection(("127.0.0.1", port))
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.settimeout(60)  # a server that stops answering ends the run, not the benchmark
    zeros = bytes(piece)

    def write() -> None:
        left = total
        while left > 0:
            n = min(piece, left)
            conn.sendall(zeros[:n])
            left -= n
        conn.shutdown(socket.SHUT_WR)

    start = time.monotonic()
    writer = threading.Thread(target=write)
    writer.start()
    got = 0
    into = bytearray(piece)
    while True:
        n = conn.recv_into(into)
        if n == 0:
            break
        got += n
    writer.join()
    seconds = time.monotonic() - start
    print(json.dumps({"bytes": got, "seconds": seconds, "mb_per_s": got / seconds / 1e6}))


if __name__ == "__main__":
    if sys.argv[1] == "clients":
        asyncio.run(clients(int(sys.argv[2]), int(sys.argv[3])))
    elif sys.argv[1] == "stream":
        stream(int(sys.argv[2]), int(sys.argv[3]))
    else:
        udp(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
