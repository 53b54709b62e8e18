#!/usr/bin/env bash
# Side-by-side benchmarks: netkit against the tools users would otherwise pick, in one run,
# reported as ratios (these machines are shared and noisy: absolute times mean little).
#
#   benches/compare.sh                 every comparison
#   benches/compare.sh classify [N]    classify --json over N IPv4 addresses (default 1,000,000)
#                                      vs. Python's ipaddress computing the same fields
#   benches/compare.sh ifaces [N]      ifaces over N interfaces (default 1,000) in a namespace of
#                                      the script's own vs. ip -j -s addr and ifconfig -a
#
# Needs: cargo, python3, GNU time (/usr/bin/time); for ifaces root, iproute2 and net-tools.
# Sends no network traffic outside namespaces it creates (and removes).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
NETKIT=$PWD/target/release/netkit
WORK=$(mktemp -d)
BENCH_NS=""
cleanup() {
  if [ -n "$BENCH_NS" ]; then ip netns del "$BENCH_NS" 2> /dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

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

# median_ms RUNS CMD... : runs CMD (stdout discarded) RUNS times, prints the median in ms
median_ms() {
  local runs=$1
  shift
  local times=()
  for ((i = 0; i < runs; i++)); do
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null
    end=$(date +%s%N)
    times+=($(((end - start) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

bench_ifaces() {
  local n=${1:-1000}
  echo "== ifaces: $n interfaces (veth ends), each with an IPv4 and an IPv6 address, in a namespace"
  if [ "$(id -u)" != 0 ] || ! command -v ip > /dev/null; then
    echo "   skipped: needs root and iproute2"
    return
  fi
  local ns="nk-bench-ifaces-$$"
  ip netns add "$ns"
  BENCH_NS=$ns
  for ((j = 0; j < n; j += 2)); do
    echo "link add vb$j type veth peer name vb$((j + 1))"
  done > "$WORK/links.batch"
  for ((j = 0; j < n; j++)); do
    echo "addr add 10.201.$((j / 256)).$((j % 256))/32 dev vb$j"
    printf 'addr add fd00:201::%x/128 dev vb%d nodad\n' "$j" "$j"
  done > "$WORK/addrs.batch"
  ip -n "$ns" -batch "$WORK/links.batch"
  ip -n "$ns" -batch "$WORK/addrs.batch"
  # The timing loops run inside the namespace, so 'ip netns exec' costs none of the runs.
  export -f median_ms
  in_ns() { ip netns exec "$ns" bash -c 'median_ms "$@"' _ "$@"; }
  local runs=21
  local nk_json ip_json nk_text ifc
  nk_json=$(in_ns $runs "$NETKIT" ifaces -a --json)
  ip_json=$(in_ns $runs ip -j -s addr)
  nk_text=$(in_ns $runs "$NETKIT" ifaces -a)
  echo "   netkit ifaces -a --json   ${nk_json} ms   (median of $runs)"
  echo "   ip -j -s addr             ${ip_json} ms"
  echo "   netkit ifaces -a          ${nk_text} ms"
  if command -v ifconfig > /dev/null; then
    ifc=$(in_ns $runs ifconfig -a)
    echo "   ifconfig -a               ${ifc} ms"
  else
    echo "   ifconfig: not installed (apt-get install net-tools) - that comparison skipped"
  fi
  python3 - "$nk_json" "$ip_json" "$nk_text" "${ifc:-0}" <<'PY'
import sys
nk_json, ip_json, nk_text, ifc = map(float, sys.argv[1:])
print(f"   netkit --json / ip -j -s addr: {nk_json / ip_json:.2f}x the time (target <= 1)")
if ifc:
    print(f"   netkit table / ifconfig -a:    {nk_text / ifc:.2f}x the time (target <= 1)")
PY
  ip netns del "$ns"
  BENCH_NS=""
}

case "${1:-all}" in
  classify) bench_classify "${2:-1000000}" ;;
  ifaces) bench_ifaces "${2:-1000}" ;;
  all)
    bench_classify 1000000
    bench_ifaces 1000
    ;;
  *) echo "usage: $0 [classify [N] | ifaces [N]]" >&2; exit 2 ;;
esac
