#!/usr/bin/env python3
"""Reads the saved output of netkit and of its peer (iputils ping, traceroute) and prints their
RTTs side by side with the difference and the ratio, for benches/compare.sh rtt.

  rtt_compare.py ping LABEL NETKIT_OUT PEER_OUT TARGET
      one row: netkit's avg and median of its per-reply times against the peer's (each file
      may hold several rounds' output)
  rtt_compare.py trace LABEL TARGET NETKIT_OUT... -- PEER_OUT...
      one row per hop: the median of every probe time of that hop over all the runs given

TARGET is "fast" (within 20 us or 10 % of the peer's median, whichever is larger) or "slow"
(within 2 %). A row that misses its target ends in MISS and is also appended to the file named
by $RTT_MISSES, so the script can count them at the end.
"""
import os
import re
import statistics
import sys

TIME = re.compile(r"time=([\d.]+) ms")
SUMMARY = re.compile(r"= [\d.]+/([\d.]+)/")
HOP = re.compile(r"^\s*(\d+)\s+(\S+)\s+(.*)$")
PROBE = re.compile(r"([\d.]+) ms")


def verdict(label: str, ours: float, theirs: float, target: str) -> str:
    """'ok' or 'MISS' for a pair of medians in ms; a miss is also written to $RTT_MISSES."""
    diff = abs(ours - theirs)
    allowed = max(0.020, 0.10 * theirs) if target == "fast" else 0.02 * theirs
    if diff <= allowed:
        return "ok"
    misses = os.environ.get("RTT_MISSES")
    if misses:
        with open(misses, "a") as out:
            out.write(f"{label}: netkit {ours:.3f} ms, peer {theirs:.3f} ms\n")
    return "MISS"


def row(label: str, ours: float, theirs: float, target: str) -> str:
    """The shared tail of a row: difference in microseconds, ratio, verdict."""
    ratio = ours / theirs if theirs > 0 else float("inf")
    return f"diff {1000 * (ours - theirs):+7.1f} us  ratio {ratio:5.2f}  {verdict(label, ours, theirs, target)}"


def ping(label: str, ours_path: str, theirs_path: str, target: str) -> None:
    def read(path):
        text = open(path).read()
        times = [float(t) for t in TIME.findall(text)]
        # One summary line per round: the rounds are the same size, so the mean of their
        # averages is the average over all of them.
        avgs = [float(a) for a in SUMMARY.findall(text)]
        return times, statistics.mean(avgs) if avgs else float("nan")

    ours, our_avg = read(ours_path)
    theirs, their_avg = read(theirs_path)
    if not ours or not theirs:
        print(f"   {label:<28} NO REPLIES: netkit {len(ours)}, peer {len(theirs)}")
        return
    mine, peer = statistics.median(ours), statistics.median(theirs)
    print(
        f"   {label:<28} netkit avg {our_avg:7.3f} med {mine:7.3f} (n={len(ours):2}) | "
        f"peer avg {their_avg:7.3f} med {peer:7.3f} (n={len(theirs):2}) | {row(label, mine, peer, target)}"
    )


def hops(paths: list) -> dict:
    """ttl -> (address, [probe times in ms]) over every run's output."""
    found = {}
    for path in paths:
        for line in open(path):
            m = HOP.match(line)
            if not m:
                continue
            ttl, address, rest = int(m.group(1)), m.group(2), m.group(3)
            entry = found.setdefault(ttl, (address, []))
            entry[1].extend(float(t) for t in PROBE.findall(rest))
    return found


def trace(label: str, target: str, args: list) -> None:
    split = args.index("--")
    ours, theirs = hops(args[:split]), hops(args[split + 1 :])
    for ttl in sorted(set(ours) | set(theirs)):
        our_addr, our_times = ours.get(ttl, ("*", []))
        their_addr, their_times = theirs.get(ttl, ("*", []))
        name = f"{label} hop {ttl}"
        if not our_times or not their_times:
            print(f"   {name:<22} {our_addr:<16} NO TIMES: netkit {len(our_times)}, peer {len(their_times)} ({their_addr})")
            continue
        mine, peer = statistics.median(our_times), statistics.median(their_times)
        same = "" if our_addr == their_addr else f" (peer saw {their_addr})"
        print(
            f"   {name:<22} {our_addr:<16} netkit med {mine:7.3f} (n={len(our_times):2}) | "
            f"peer med {peer:7.3f} (n={len(their_times):2}) | {row(name, mine, peer, target)}{same}"
        )


if __name__ == "__main__":
    if sys.argv[1] == "ping":
        ping(*sys.argv[2:6])
    elif sys.argv[1] == "trace":
        trace(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(f"usage: {sys.argv[0]} ping|trace ...")
