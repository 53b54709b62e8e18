#!/usr/bin/env bash
# Side-by-side benchmarks: netkit against the tools users would otherwise pick, in one run,
# reported as ratios (these machines are shared and noisy: absolute times mean little).
#
#   benches/compare.sh                 every comparison
#   benches/compare.sh classify [N]    classify --json over N IPv4 addresses (default 1,000,000)
#                                      vs. Python's ipaddress computing the same fields
#
# Needs: cargo, python3, GNU time (/usr/bin/time). Sends no network traffic.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
NETKIT=$PWD/target/release/netkit
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# run_timed LABEL INPUT CMD... : runs CMD with INPUT on stdin and stdout discarded; leaves
# "wall_seconds peak_kb" in $WORK/LABEL.time
run_timed() {
  local label=$1 input=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$WORK/$label.time" "$@" < "$input" > /dev/null
}

# median_of_3 LABEL INPUT CMD... : three runs; the median wall time and the largest peak
median_of_3() {
  local label=$1 input=$2
  shift 2
  for i in 1 2 3; do
    run_timed "$label.$i" "$input" "$@"
  done
  cat "$WORK/$label".[123].time | sort -n | sed -n 2p | cut -d' ' -f1 > "$WORK/$label.wall"
  cat "$WORK/$label".[123].time | cut -d' ' -f2 | sort -n | tail -1 > "$WORK/$label.peak"
}

bench_classify() {
  local n=${1:-1000000}
  local small=$((n / 10))
  echo "== classify: $n IPv4 addresses, JSON lines (netkit classify --json -) vs python3 ipaddress"
  # Deterministic input: a fixed-seed generator, every address in the 32-bit space equally likely.
  python3 -c '
import random, sys
r = random.Random(20261123)
w = sys.stdout.write
for _ in range(int(sys.argv[1])):
    x = r.getrandbits(32)
    w("%d.%d.%d.%d\n" % (x >> 24, x >> 16 & 255, x >> 8 & 255, x & 255))
' "$n" > "$WORK/addrs.txt"
  head -n "$small" "$WORK/addrs.txt" > "$WORK/addrs-small.txt"

  # The peer must compute the same answers, or the comparison means nothing.
  head -n 2000 "$WORK/addrs.txt" > "$WORK/sample.txt"
  "$NETKIT" classify --json - < "$WORK/sample.txt" > "$WORK/sample-netkit.json"
  python3 benches/classify_reference.py < "$WORK/sample.txt" > "$WORK/sample-python.json"
  python3 - "$WORK/sample-netkit.json" "$WORK/sample-python.json" <<'PY'
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
theirs = [json.loads(l) for l in open(sys.argv[2])]
assert len(ours) == len(theirs), (len(ours), len(theirs))
for a, b in zip(ours, theirs):
    for key, value in b.items():
        if key == "ranges":
            a_val = [{k: r[k] for k in x} for r, x in zip(a[key], value)]
            assert a_val == value, (a["input"], key, a[key], value)
        else:
            assert a[key] == value, (a["input"], key, a[key], value)
print(f"   fields agree on a {len(ours)}-address sample")
PY

  median_of_3 netkit "$WORK/addrs.txt" "$NETKIT" classify --json -
  run_timed netkit-small "$WORK/addrs-small.txt" "$NETKIT" classify --json -
  run_timed python "$WORK/addrs.txt" python3 benches/classify_reference.py

  python3 - "$n" "$small" "$WORK" <<'PY'
import sys
n, small, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
read = lambda name: open(f"{work}/{name}").read().split()
nk_wall, nk_peak = max(0.01, float(read("netkit.wall")[0])), int(read("netkit.peak")[0])
small_peak = int(read("netkit-small.time")[1])
py_wall, py_peak = map(float, read("python.time"))
rate = lambda wall: f"{n / wall:>12,.0f} addr/s"
print(f"   netkit classify --json -   {nk_wall:8.2f} s  {rate(nk_wall)}  peak {nk_peak / 1024:6.1f} MB  (median of 3)")
print(f"   python3 ipaddress + json   {py_wall:8.2f} s  {rate(py_wall)}  peak {py_peak / 1024:6.1f} MB")
print(f"   throughput ratio: netkit {py_wall / nk_wall:.1f}x python (target >= 30x)")
print(f"   peak memory: {small_peak / 1024:.1f} MB at {small:,} addresses, {nk_peak / 1024:.1f} MB at {n:,} (target < 20 MB, flat)")
PY
}

case "${1:-all}" in
  classify) bench_classify "${2:-1000000}" ;;
  all) bench_classify 1000000 ;;
  *) echo "usage: $0 [classify [N]]" >&2; exit 2 ;;
esac
