#!/usr/bin/env bash
# Side-by-side benchmarks: netkit against the tools users would otherwise pick, in one run,
# reported as ratios (these machines are shared and noisy: absolute times mean little).
#
#   benches/compare.sh                 every comparison
#   benches/compare.sh classify [N]    classify --json over N IPv4 addresses (default 1,000,000)
#                                      vs. Python's ipaddress computing the same fields; the
#                                      line view vs. an awk one-liner computing only the class
#   benches/compare.sh subnet [N]      subnet --aggregate - of N random IPv4 prefixes (/16-/32;
#                                      default 1,000,000) vs. ipaddress.collapse_addresses
#   benches/compare.sh ifaces [N]      ifaces over N interfaces (default 1,000) in a namespace of
#                                      the script's own vs. ip -j -s addr and ifconfig -a
#   benches/compare.sh ping            ping over a simulated 20 ms link with 10% loss, and 50
#                                      addresses at once, vs. iputils ping and fping
#   benches/compare.sh scan            all 65,535 TCP ports of a namespace's loopback with three
#                                      listeners, vs. nmap -sT -p- -n -Pn -T5 and RustScan; then
#                                      1,000 ports of a host across a veth, 100 of them DROPped,
#                                      vs. nmap -sT -T4 (states compared port by port)
#   benches/compare.sh echo            echo: 1 GiB through one TCP connection, concurrent
#                                      clients and memory, UDP round trips from 8 sockets,
#                                      vs. socat, ncat and iperf3 (loopback only)
#   benches/compare.sh floor           netkit scan -p all (connect and --syn) on a namespace's
#                                      loopback vs. benches/connect_floor.c, a bare connect()
#                                      loop over every port, one thread per core
#   benches/compare.sh trace           trace -n over a 5-hop chain of namespaces vs. traceroute -n
#                                      and tracepath -n (same hops; wall time), then with a
#                                      router that keeps its time exceeded
#   benches/compare.sh rtt             RTTs side by side with iputils ping (raw and datagram
#                                      sockets, IPv4 and IPv6, a veth host and loopback; then
#                                      5 ms away behind benches/icmp_delay_peer.py) and with
#                                      traceroute per hop (UDP, ICMP, TCP over a 5-hop chain),
#                                      the rows read by benches/rtt_compare.py; then trace's
#                                      wall time against traceroute's, 21 interleaved runs
#   benches/compare.sh netscan [RUNS]  ports 22,80,443 of a /24 with three hosts (one listening
#                                      on 22, one firewalled, one with nothing listening), from
#                                      the link and from behind a router, vs. nmap -sT -n -T4,
#                                      RUNS interleaved runs (default 5), as root and as nobody;
#                                      same up hosts and states printed side by side
#   benches/compare.sh tracewall [RUNS] only that last part: trace -n's wall time against
#                                      traceroute -n's over the 5-hop chain, RUNS interleaved
#                                      runs (default 21)
#   benches/compare.sh rounds [RUNS]   trace --rounds 100 -i 0.05 --icmp against mtr -n -r -c 100
#                                      -i 0.05 over the 5-hop chain with one router dropping
#                                      ~20% of what it forwards toward the destination, RUNS
#                                      interleaved runs (default 2): CPU time (user + system of
#                                      each command and every process it waited for, mtr-packet
#                                      included) as a ratio, and each hop's loss side by side
#                                      within a binomial tolerance
#   benches/compare.sh watch [RUNS]    netkit watch --pcap (text to /dev/null and to a pipe,
#                                      --quiet, --json) and tcpdump -w capturing at once a
#                                      burst of 200,000 UDP datagrams (benches/udp_burst.c) on a
#                                      namespace's lo: RUNS interleaved rounds (default 5); each
#                                      file's datagrams checked one by one, both sides' kernel
#                                      drops, and the median CPU ratio netkit/tcpdump per variant
#                                      (and netkit's text > /dev/null against tcpdump -n --print
#                                      -w > /dev/null); WATCH_BURST=N another burst size,
#                                      WATCH_TCPDUMP_ARGS more tcpdump options (e.g. "-B 32768"),
#                                      WATCH_VARIANTS some variants only (null text quiet json print)
#
# Needs: cargo, python3, GNU time (/usr/bin/time); for ifaces root, iproute2 and net-tools;
# for ping root, iproute2, nftables, iputils-ping and fping; for scan root, nmap, nftables and
# RustScan (`cargo install rustscan`; left out when missing); for echo socat, ncat and iperf3;
# for trace root, iproute2, nftables, traceroute and iputils-tracepath; for rtt root, iproute2,
# iputils-ping, traceroute and (to name the socket iputils opened) strace; for rounds root,
# iproute2, nftables and mtr; for watch root, iproute2, tcpdump and a C compiler.
# Sends no network traffic outside namespaces it creates (and removes).
set -euo pipefail
cd "$(dirname "$0")/.."

# NETKIT_BIN: a netkit already built (e.g. a debug build), instead of building the release.
if [ -n "${NETKIT_BIN:-}" ]; then
  NETKIT=$NETKIT_BIN
else
  cargo build --release --quiet
  NETKIT=${CARGO_TARGET_DIR:-$PWD/target}/release/netkit
fi
WORK=$(mktemp -d)
BENCH_NS=""
cleanup() {
  for ns in $BENCH_NS; do
    ip netns pids "$ns" 2> /dev/null | xargs -r kill 2> /dev/null || true
    ip netns del "$ns" 2> /dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# veth_pair CLIENT PEER PREFIX : two namespaces of the script's own (removed on exit), joined
# by a veth c0 <-> p0, with PREFIX.1/24 and PREFIX.2/24; loopbacks and links up.
veth_pair() {
  local c=$1 p=$2 prefix=$3
  ip netns add "$c"
  ip netns add "$p"
  BENCH_NS="$c $p"
  ip -n "$c" link add c0 type veth peer name p0 netns "$p"
  ip -n "$c" addr add "$prefix.1/24" dev c0
  ip -n "$p" addr add "$prefix.2/24" dev p0
  for ns in "$c" "$p"; do
    ip -n "$ns" link set lo up
  done
  ip -n "$c" link set c0 up
  ip -n "$p" link set p0 up
}

# listen_tcp NS HOST PORT... : TCP listeners in namespace NS, in the background, for at most
# ten minutes (the namespace's removal ends them sooner).
listen_tcp() {
  local ns=$1 host=$2
  shift 2
  ip netns exec "$ns" python3 -c 'import socket, sys, time
held = []
for p in sys.argv[2:]:
    s = socket.socket(); s.bind((sys.argv[1], int(p))); s.listen(); held.append(s)
time.sleep(600)' "$host" "$@" &
  sleep 0.5
}

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
print(f"   throughput ratio: netkit {py_wall / nk_wall:.1f}x python (target >= 100x)")
print(f"   peak memory: {small_peak / 1024:.1f} MB at {small:,} addresses, {nk_peak / 1024:.1f} MB at {n:,} (target < 20 MB, flat)")
PY

  # The line view against an awk line that computes nothing but the class (issue 16's
  # yardstick), runs interleaved, medians of 5.
  for i in 1 2 3 4 5; do
    run_timed "line.$i" "$WORK/addrs.txt" "$NETKIT" classify -
    run_timed "awk.$i" "$WORK/addrs.txt" awk -F. '{c=$1<128?"A":$1<192?"B":$1<224?"C":$1<240?"D":"E"; print $0, c}'
  done
  python3 - "$WORK" <<'PY'
import statistics, sys
work = sys.argv[1]
wall = lambda name: statistics.median(float(open(f"{work}/{name}.{i}.time").read().split()[0]) for i in range(1, 6))
line, awk = max(0.01, wall("line")), max(0.01, wall("awk"))
print(f"   netkit classify - (line view) {line:6.2f} s   awk class one-liner {awk:6.2f} s   (medians of 5, interleaved)")
print(f"   line view: {line / awk:.2f}x awk's time (target <= 1.00)")
PY
}

bench_subnet() {
  local n=${1:-1000000}
  echo "== subnet --aggregate: $n random IPv4 prefixes /16-/32 vs python3 ipaddress.collapse_addresses"
  python3 -c '
import random, sys
r = random.Random(20261201)
w = sys.stdout.write
for _ in range(int(sys.argv[1])):
    x = r.getrandbits(32)
    w("%d.%d.%d.%d/%d\n" % (x >> 24, x >> 16 & 255, x >> 8 & 255, x & 255, r.randint(16, 32)))
' "$n" > "$WORK/prefixes.txt"
  "$NETKIT" subnet --aggregate - < "$WORK/prefixes.txt" > "$WORK/agg-netkit.txt" 2> /dev/null
  python3 benches/aggregate_reference.py < "$WORK/prefixes.txt" > "$WORK/agg-python.txt"
  if cmp -s "$WORK/agg-netkit.txt" "$WORK/agg-python.txt"; then
    echo "   identical output: $(wc -l < "$WORK/agg-netkit.txt") blocks"
  else
    echo "   OUTPUTS DIFFER: $(wc -l < "$WORK/agg-netkit.txt") vs $(wc -l < "$WORK/agg-python.txt") blocks"
  fi
  median_of_3 agg-netkit "$WORK/prefixes.txt" "$NETKIT" subnet --aggregate -
  run_timed agg-python "$WORK/prefixes.txt" python3 benches/aggregate_reference.py
  python3 - "$WORK" <<'PY'
import sys
work = sys.argv[1]
read = lambda name: open(f"{work}/{name}").read().split()
nk_wall, nk_peak = max(0.01, float(read("agg-netkit.wall")[0])), int(read("agg-netkit.peak")[0])
py_wall, py_peak = map(float, read("agg-python.time"))
print(f"   netkit subnet --aggregate -   {nk_wall:7.2f} s  peak {nk_peak / 1024:6.1f} MB  (median of 3)")
print(f"   python3 collapse_addresses    {py_wall:7.2f} s  peak {py_peak / 1024:6.1f} MB")
print(f"   ratio: netkit {py_wall / nk_wall:.1f}x python (target >= 30x); peak {nk_peak / 1024:.1f} MB (target < 100 MB)")
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

bench_ping() {
  echo "== ping: a simulated 20 ms link with 10% random loss, and 50 addresses at once"
  for tool in ip nft ping fping; do
    if ! command -v $tool > /dev/null; then
      echo "   skipped: needs $tool (apt-get install iproute2 nftables iputils-ping fping)"
      return
    fi
  done
  if [ "$(id -u)" != 0 ]; then
    echo "   skipped: needs root (namespaces, intervals below 0.2 s)"
    return
  fi
  local c="nk-bench-pc-$$" p="nk-bench-pp-$$"
  veth_pair "$c" "$p" 10.200.5
  for i in $(seq 10 59); do ip -n "$p" addr add "10.200.5.$i/24" dev p0; done
  # Section 1: the peer's kernel stays silent; the responder answers 20 ms late, and nft drops
  # 10% of the requests at random before it sees them.
  ip netns exec "$p" sh -c 'echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all'
  printf 'table inet nk {\n chain input {\n  type filter hook input priority 0;\n  icmp type echo-request numgen random mod 100 < 10 drop\n }\n}\n' |
    ip netns exec "$p" nft -f -
  ip netns exec "$p" python3 tests/common/icmp_responder.py --delay-ms 20 --max-seconds 300 > /dev/null &
  sleep 1
  local in_c=(ip netns exec "$c")
  "${in_c[@]}" ping -c 200 -i 0.05 -q 10.200.5.2 > "$WORK/iputils-slow.txt" || true
  "${in_c[@]}" "$NETKIT" ping -c 200 -i 0.05 -q 10.200.5.2 > "$WORK/netkit-slow.txt" || true
  /usr/bin/time -f "%e %U %S" -o "$WORK/iputils-fast.time" "${in_c[@]}" ping -c 200 -i 0.005 -q 10.200.5.2 > "$WORK/iputils-fast.txt" || true
  /usr/bin/time -f "%e %U %S" -o "$WORK/netkit-fast.time" "${in_c[@]}" "$NETKIT" ping -c 200 -i 0.005 -q 10.200.5.2 > "$WORK/netkit-fast.txt" || true
  # Section 2: -c 200 -i 0.005 on loopback, where neither tool waits on the link.
  /usr/bin/time -f "%e %U %S" -o "$WORK/iputils-lo.time" "${in_c[@]}" ping -c 200 -i 0.005 -q 127.0.0.1 > /dev/null || true
  /usr/bin/time -f "%e %U %S" -o "$WORK/netkit-lo.time" "${in_c[@]}" "$NETKIT" ping -c 200 -i 0.005 -q 127.0.0.1 > /dev/null || true
  # Section 3: the peer's kernel answers 50 addresses at once.
  ip netns pids "$p" | xargs -r kill
  ip netns exec "$p" nft flush ruleset
  ip netns exec "$p" sh -c 'echo 0 > /proc/sys/net/ipv4/icmp_echo_ignore_all'
  local fifty
  fifty=$(seq -f '10.200.5.%g' 10 59 | tr '\n' ' ')
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e" -o "$WORK/netkit-50.time" "${in_c[@]}" "$NETKIT" ping -c 5 -i 0.2 -q $fifty > /dev/null || true
  /usr/bin/time -f "%e" -o "$WORK/netkit-1.time" "${in_c[@]}" "$NETKIT" ping -c 5 -i 0.2 -q 10.200.5.10 > /dev/null || true
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e" -o "$WORK/fping-50.time" "${in_c[@]}" fping -q -c 5 -p 200 $fifty 2> /dev/null || true
  python3 - "$WORK" <<'PY'
import re, sys
work = sys.argv[1]
def summary(name):
    text = open(f"{work}/{name}.txt").read()
    sent, got = map(int, re.search(r"(\d+) packets transmitted, (\d+) received", text).groups())
    avg = float(re.search(r"= [\d.]+/([\d.]+)/", text).group(1))
    return sent, got, avg
def times(name):
    return [float(x) for x in open(f"{work}/{name}.time").read().split()]
for speed, label in (("slow", "-c 200 -i 0.05"), ("fast", "-c 200 -i 0.005")):
    (s1, g1, a1), (s2, g2, a2) = summary(f"iputils-{speed}"), summary(f"netkit-{speed}")
    print(f"   {label}: iputils avg {a1:.3f} ms, loss {100 * (s1 - g1) / s1:.1f}% | "
          f"netkit avg {a2:.3f} ms, loss {100 * (s2 - g2) / s2:.1f}% | avg ratio {a2 / a1:.3f}")
iw, iu, isys = times("iputils-fast")
nw, nu, nsys = times("netkit-fast")
print(f"   -c 200 -i 0.005 over the 20 ms link, wall: iputils {iw:.2f} s, netkit {nw:.2f} s "
      f"(iputils keeps ~3 probes in flight, its 'pipe'; netkit keeps the 5 ms schedule)")
iw, iu, isys = times("iputils-lo")
nw, nu, nsys = times("netkit-lo")
print(f"   -c 200 -i 0.005 on loopback, wall: iputils {iw:.2f} s, netkit {nw:.2f} s: ratio {nw / iw:.3f} (target within 5%)")
print(f"   -c 200 -i 0.005 on loopback, cpu:  iputils {iu + isys:.2f} s, netkit {nu + nsys:.2f} s: "
      f"ratio {(nu + nsys) / max(iu + isys, 0.01):.2f} (target <= 2; /usr/bin/time resolves 0.01 s)")
n50, n1, f50 = times("netkit-50")[0], times("netkit-1")[0], times("fping-50")[0]
print(f"   50 addresses, 5 probes each: netkit {n50:.2f} s (one address: {n1:.2f} s), fping {f50:.2f} s: "
      f"netkit/fping {n50 / f50:.2f}x")
PY
  ip netns del "$c"
  ip netns del "$p"
  BENCH_NS=""
}

# peak_rss_kb NAME... : while the file $WORK/sampling exists, the largest sum of RSS (KiB) over
# all processes with those names; written to $WORK/peak when sampling stops
sample_rss() {
  local peak=0 now
  while [ -e "$WORK/sampling" ]; do
    now=$(ps -o rss= -C "$1" 2> /dev/null | awk '{s += $1} END {print s + 0}')
    [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.05
  done
  echo "$peak" > "$WORK/peak"
}

# load_with_rss PROCESS CLIENTS PORT : runs the client load and prints "served peak_kb"
load_with_rss() {
  touch "$WORK/sampling"
  sample_rss "$1" &
  local sampler=$!
  local served
  served=$(python3 benches/echo_load.py clients "$3" "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["served"])')
  rm -f "$WORK/sampling"
  wait "$sampler"
  echo "$served $(cat "$WORK/peak")"
}

bench_echo() {
  echo "== echo: one TCP stream of 1 GiB, concurrent clients, UDP round trips (loopback)"
  for tool in socat ncat iperf3 python3; do
    if ! command -v $tool > /dev/null; then
      echo "   skipped: needs $tool (apt-get install socat ncat iperf3)"
      return
    fi
  done
  local nk=18101 so=18102 nc=18103 ip3=18104 sou=18105
  head -c 1G /dev/zero > "$WORK/1g.bin"
  # --max-clients above its default (1024), so 10,000 clients may all come in.
  "$NETKIT" echo $nk --bind 127.0.0.1 --quiet --max-rate 0 --max-clients 20000 > /dev/null &
  local nk_pid=$!
  socat TCP-LISTEN:$so,fork,reuseaddr,bind=127.0.0.1,backlog=1024 PIPE &
  local so_pid=$!
  socat -T 10 UDP-LISTEN:$sou,fork,reuseaddr,bind=127.0.0.1 PIPE &
  local sou_pid=$!
  ncat -l 127.0.0.1 $nc --keep-open --max-conns 2000 --exec /bin/cat &
  local nc_pid=$!
  iperf3 -s -p $ip3 -B 127.0.0.1 > /dev/null &
  local ip3_pid=$!
  sleep 1
  # 1. One connection, 1 GiB each way, three rounds, medians. The same lean client for both
  # servers (echo_load.py stream: writes and counts, as iperf3 does per direction), so the
  # servers are what differ; and `netkit send --file`, which also compares every byte.
  local rate_nk="" rate_so="" rate_send="" ip3_bps=""
  for _ in 1 2 3; do
    rate_nk+="$(python3 benches/echo_load.py stream $nk 1073741824 | python3 -c 'import json,sys; print(json.load(sys.stdin)["mb_per_s"])') "
    rate_so+="$(python3 benches/echo_load.py stream $so 1073741824 | python3 -c 'import json,sys; print(json.load(sys.stdin)["mb_per_s"])') "
    rate_send+="$("$NETKIT" send 127.0.0.1:$nk --file "$WORK/1g.bin" --timeout 30 | sed -E 's/.*, ([0-9.]+) MB\/s\)/\1/') "
    ip3_bps+="$(iperf3 -c 127.0.0.1 -p $ip3 -n 1G -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])') "
  done
  # 2. Concurrent clients, one round trip each; server memory as the peak sum of RSS.
  local nk10k nk1k so1k nc1k
  nk1k=$(load_with_rss netkit 1000 $nk)
  nk10k=$(load_with_rss netkit 10000 $nk)
  so1k=$(load_with_rss socat 1000 $so)
  nc1k=$(load_with_rss cat 1000 $nc)
  local nc_self
  nc_self=$(ps -o rss= -p "$nc_pid" | tr -d ' ')
  # 3. UDP round trips from 8 sockets, 3 seconds each.
  local udp_nk udp_so
  udp_nk=$(python3 benches/echo_load.py udp $nk 8 3)
  udp_so=$(python3 benches/echo_load.py udp $sou 8 3)
  kill -INT $nk_pid 2> /dev/null || true
  kill $so_pid $sou_pid $nc_pid $ip3_pid 2> /dev/null || true
  wait 2> /dev/null || true
  python3 - "$rate_nk" "$rate_so" "$ip3_bps" "$nk1k" "$nk10k" "$so1k" "$nc1k" "$nc_self" "$udp_nk" "$udp_so" "$rate_send" <<'PY'
import json, statistics, sys
def median(arg):
    return statistics.median(float(x) for x in arg.split())
rate_nk, rate_so, ip3_bps, rate_send = median(sys.argv[1]), median(sys.argv[2]), median(sys.argv[3]), median(sys.argv[11])
nk1k, nk10k, so1k, nc1k = (list(map(int, a.split())) for a in sys.argv[4:8])
nc_self = int(sys.argv[8] or 0)
udp_nk, udp_so = json.loads(sys.argv[9]), json.loads(sys.argv[10])
ip3 = ip3_bps / 8 / 1e6
print(f"   1 GiB echoed through one TCP connection (medians of 3): netkit {rate_nk:.0f} MB/s, socat {rate_so:.0f} MB/s "
      f"(netkit/socat {rate_nk / rate_so:.2f}x, target >= 1)")
print(f"   iperf3 one-way on loopback: {ip3:.0f} MB/s; netkit echo / iperf3 = {rate_nk / ip3:.2f} (target >= 0.5)")
print(f"   netkit send --file (sendfile out, every byte compared) into netkit echo: {rate_send:.0f} MB/s "
      f"({rate_send / ip3:.2f} of iperf3)")
print(f"   1,000 clients: netkit served {nk1k[0]}, peak {nk1k[1] / 1024:.1f} MB | socat served {so1k[0]}, "
      f"{so1k[1] / 1024:.0f} MB over its processes | ncat served {nc1k[0]}, {(nc1k[1] + nc_self) / 1024:.0f} MB (ncat + cat)")
print(f"   10,000 clients: netkit served {nk10k[0]}, peak {nk10k[1] / 1024:.1f} MB (target: all, < 100 MB)")
print(f"   UDP round trips from 8 sockets: netkit {udp_nk['per_second']:.0f}/s, socat {udp_so['per_second']:.0f}/s "
      f"(netkit/socat {udp_nk['per_second'] / udp_so['per_second']:.2f}x, target >= 1)")
PY
}

bench_scan() {
  echo "== scan: all 65,535 TCP ports of a namespace's loopback holding three listeners"
  if ! command -v nmap > /dev/null || [ "$(id -u)" != 0 ]; then
    echo "   skipped: needs nmap and root"
    return
  fi
  local rustscan
  rustscan=$(command -v rustscan || true)
  local ns="nk-bench-scan-$$"
  ip netns add "$ns"
  BENCH_NS=$ns
  ip -n "$ns" link set lo up
  listen_tcp "$ns" 127.0.0.1 22 8080 50505
  local in_ns=(ip netns exec "$ns")
  for i in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$WORK/nk-scan.$i" "${in_ns[@]}" "$NETKIT" scan 127.0.0.1 -p all --json > "$WORK/nk-scan.json"
    /usr/bin/time -f "%e %M" -o "$WORK/nk-syn.$i" "${in_ns[@]}" "$NETKIT" scan 127.0.0.1 -p all --syn --json > "$WORK/nk-syn.json"
    /usr/bin/time -f "%e %M" -o "$WORK/nmap-scan.$i" "${in_ns[@]}" nmap -sT -p- -n -Pn -T5 -oG "$WORK/nmap.gnmap" 127.0.0.1 > /dev/null
    if [ -n "$rustscan" ]; then
      # Its defaults (batch 4,500, timeout 1.5 s), greppable output, no nmap afterwards.
      /usr/bin/time -f "%e %M" -o "$WORK/rustscan.$i" "${in_ns[@]}" "$rustscan" -a 127.0.0.1 -r 1-65535 \
        -g -n --scripts none > "$WORK/rustscan.out" 2> /dev/null || true
    fi
  done
  python3 - "$WORK" <<'PY'
import json, os, re, statistics, sys
work = sys.argv[1]
def runs(name):
    rows = [open(f"{work}/{name}.{i}").read().split()[-2:] for i in (1, 2, 3)]
    return statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows)
def opened(name):
    return sorted(p["port"] for p in json.load(open(f"{work}/{name}.json"))["scans"][0]["ports"] if p["state"] == "open")
nk, nk_mem = runs("nk-scan")
syn, syn_mem = runs("nk-syn")
nm, nm_mem = runs("nmap-scan")
nmap_found = sorted(int(p) for p in re.findall(r"(\d+)/open/tcp", open(f"{work}/nmap.gnmap").read()))
print(f"   medians of 3: netkit {nk:.2f} s (peak {nk_mem / 1024:.0f} MB), netkit --syn {syn:.2f} s (peak {syn_mem / 1024:.0f} MB), "
      f"nmap {nm:.2f} s (peak {nm_mem / 1024:.0f} MB)")
print(f"   netkit/nmap {nk / nm:.2f}x the time (target <= 0.5); netkit --syn/nmap {syn / nm:.2f}x")
if os.path.exists(f"{work}/rustscan.1"):
    rs, rs_mem = runs("rustscan")
    out = open(f"{work}/rustscan.out").read()
    rs_found = sorted(int(p) for p in re.findall(r"\d+", out.split("->", 1)[1])) if "->" in out else []
    print(f"   RustScan {rs:.2f} s (peak {rs_mem / 1024:.0f} MB): netkit/RustScan {nk / rs:.2f}x the time (target < 1)")
    print(f"   open ports: RustScan {rs_found}")
else:
    print("   RustScan: not installed (cargo install rustscan), left out")
print(f"   open ports: netkit {opened('nk-scan')}, netkit --syn {opened('nk-syn')}, nmap {nmap_found} (listeners: [22, 8080, 50505])")
PY
  ip netns pids "$ns" | xargs -r kill
  ip netns del "$ns"
  BENCH_NS=""
  bench_scan_veth
}

# 1,000 ports of a host across a veth: three listeners, 100 ports DROPped by nftables.
bench_scan_veth() {
  echo "== scan: 1,000 TCP ports of a host across a veth, 100 of them DROPped"
  if ! command -v nft > /dev/null; then
    echo "   skipped: needs nftables"
    return
  fi
  local client="nk-bench-sc-$$" target="nk-bench-st-$$"
  veth_pair "$client" "$target" 10.200.10
  printf 'table inet nk {\n chain input {\n  type filter hook input priority 0;\n  tcp dport 501-600 drop\n }\n}\n' |
    ip netns exec "$target" nft -f -
  listen_tcp "$target" 0.0.0.0 22 80 443
  local in_ns=(ip netns exec "$client")
  for i in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$WORK/nk-veth.$i" "${in_ns[@]}" "$NETKIT" scan 10.200.10.2 -p 1-1000 --json > "$WORK/nk-veth.json"
    /usr/bin/time -f "%e %M" -o "$WORK/nmap-veth.$i" "${in_ns[@]}" nmap -sT -p 1-1000 -n -Pn -T4 -oX "$WORK/nmap-veth.xml" 10.200.10.2 > /dev/null
  done
  python3 - "$WORK" <<'PY'
import json, re, statistics, sys
work = sys.argv[1]
def runs(name):
    rows = [open(f"{work}/{name}.{i}").read().split()[-2:] for i in (1, 2, 3)]
    return statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows)
nk, nk_mem = runs("nk-veth")
nm, nm_mem = runs("nmap-veth")
scan = json.load(open(f"{work}/nk-veth.json"))["scans"][0]
nk_states = {p["port"]: p["state"] for p in scan["ports"]}
# nmap folds the commonest states into <extraports>, with the ports as ranges in its XML.
xml = open(f"{work}/nmap-veth.xml").read()
nm_states = {int(p): s for p, s in re.findall(r'portid="(\d+)"><state state="([^"]+)"', xml)}
for state, spans in re.findall(r'<extraports state="([^"]+)".*?ports="([^"]+)"', xml, re.S):
    for span in spans.split(","):
        lo, _, hi = span.partition("-")
        for p in range(int(lo), int(hi or lo) + 1):
            nm_states[p] = state
nm_states = {p: s for p, s in nm_states.items() if s != "closed"}
built = {**{p: "open" for p in (22, 80, 443)}, **{p: "filtered" for p in range(501, 601)}}
print(f"   medians of 3: netkit {nk:.2f} s, nmap -sT -T4 {nm:.2f} s: netkit/nmap {nk / nm:.2f}x the time (target <= 1)")
print(f"   states as built: netkit {'yes' if nk_states == built else 'NO'} ({scan['counts']}), "
      f"nmap {'yes' if nm_states == built else 'NO'}; netkit and nmap agree on every port: {'yes' if nk_states == nm_states else 'NO'}")
PY
  ip netns pids "$target" | xargs -r kill
  ip netns del "$client"
  ip netns del "$target"
  BENCH_NS=""
}

# subnet_lab TAG PREFIX : a /24 (PREFIX.0/24) on a bridge, with three hosts: PREFIX.2 listens
# on 22, PREFIX.3 drops everything in (nft; it still answers ARP), PREFIX.4 listens on nothing.
# Two clients: "$TAG-d" on the link itself (PREFIX.254), and "$TAG-r" behind a router
# ("$TAG-gw": PREFIX.1 on the link, 10.99.0.1/30 toward the client at 10.99.0.2). The router
# rate-limits its host-unreachables as Linux does by default. Every namespace is the
# script's own and removed on exit.
subnet_lab() {
  local tag=$1 prefix=$2
  local sw="$tag-sw" gw="$tag-gw" d="$tag-d" r="$tag-r"
  for ns in "$sw" "$gw" "$d" "$r" "$tag-h2" "$tag-h3" "$tag-h4"; do
    ip netns add "$ns"
    BENCH_NS="$BENCH_NS $ns"
    ip -n "$ns" link set lo up
  done
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  # plug NS ADDRESS : a veth from NS into the bridge, with ADDRESS/24 on NS's end.
  plug() {
    local ns=$1 addr=$2 port="p${2##*.}"
    ip -n "$ns" link add eth0 type veth peer name "$port" netns "$sw"
    ip -n "$sw" link set "$port" master br0 up
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set eth0 up
  }
  plug "$gw" "$prefix.1"
  plug "$d" "$prefix.254"
  ip -n "$d" route add default via "$prefix.1"
  for h in 2 3 4; do
    plug "$tag-h$h" "$prefix.$h"
    ip -n "$tag-h$h" route add default via "$prefix.1"
  done
  ip -n "$r" link add eth0 type veth peer name up0 netns "$gw"
  ip -n "$r" addr add 10.99.0.2/30 dev eth0
  ip -n "$gw" addr add 10.99.0.1/30 dev up0
  ip -n "$r" link set eth0 up
  ip -n "$gw" link set up0 up
  ip -n "$r" route add default via 10.99.0.1
  ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
  printf 'table inet nk {\n chain input {\n  type filter hook input priority 0;\n  drop\n }\n}\n' |
    ip netns exec "$tag-h3" nft -f -
  listen_tcp "$tag-h2" 0.0.0.0 22
  # The bridge learns every port before the first run.
  for h in 2 3 4; do ip netns exec "$d" ping -c 1 -W 1 "$prefix.$h" > /dev/null || true; done
  ip netns exec "$r" ping -c 1 -W 1 "$prefix.2" > /dev/null || true
}

# netscan_run LABEL NS AS_NOBODY CMD... : CMD in NS (as nobody when AS_NOBODY is 1), its wall
# time in $WORK/LABEL.time and its stdout in $WORK/LABEL.out
netscan_run() {
  local label=$1 ns=$2 nobody=$3
  shift 3
  local who=()
  if [ "$nobody" = 1 ]; then
    who=(setpriv --reuid nobody --regid nogroup --clear-groups)
  fi
  /usr/bin/time -f "%e" -o "$WORK/$label.time" ip netns exec "$ns" "${who[@]}" "$@" > "$WORK/$label.out" 2> "$WORK/$label.err" || true
}

bench_netscan() {
  local runs=${1:-5}
  echo "== netscan: ports 22,80,443 of a /24 with three hosts, from the link and behind a router, $runs interleaved runs"
  if ! command -v nmap > /dev/null || ! command -v nft > /dev/null || [ "$(id -u)" != 0 ]; then
    echo "   skipped: needs nmap, nftables and root"
    return
  fi
  local tag="nkns$$" prefix=10.213.7
  subnet_lab "$tag" "$prefix"
  # nobody must be able to run the binary.
  cp "$NETKIT" "$WORK/netkit"
  chmod 755 "$WORK" "$WORK/netkit"
  for where in d r; do
    for who in 0 1; do
      for i in $(seq "$runs"); do
        netscan_run "nmap-$where-$who.$i" "$tag-$where" "$who" nmap -sT -n -T4 -p 22,80,443 -oG - "$prefix.0/24"
        netscan_run "nk-$where-$who.$i" "$tag-$where" "$who" "$WORK/netkit" scan -p 22,80,443 --json "$prefix.0/24"
      done
    done
    # Which hosts answer, as fping -a -g (no retries) and netkit ping --alive, as root.
    for i in $(seq "$runs"); do
      netscan_run "fping-$where.$i" "$tag-$where" 0 fping -a -g -r 0 "$prefix.0/24"
      netscan_run "nkping-$where.$i" "$tag-$where" 0 "$WORK/netkit" ping --alive "$prefix.0/24"
    done
  done
  python3 - "$WORK" "$runs" <<'PY'
import json, re, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
def wall(name):
    return statistics.median(float(open(f"{work}/{name}.{i}.time").read().split()[-1]) for i in range(1, runs + 1))
def nmap_hosts(name):
    hosts = {}
    for i in range(1, runs + 1):
        text = open(f"{work}/{name}.{i}.out").read()
        seen = {}
        for addr, ports in re.findall(r"Host: (\S+) \(\)\s+Ports: ([^\n]*)", text):
            seen[addr] = {int(p): s for p, s in re.findall(r"(\d+)/([a-z|]+)/tcp", ports)}
        for addr in re.findall(r"Host: (\S+) \(\)\s+Status: Up", text):
            seen.setdefault(addr, {})
        hosts[i] = seen
    return hosts
def netkit_hosts(name):
    hosts = {}
    for i in range(1, runs + 1):
        try:
            doc = json.load(open(f"{work}/{name}.{i}.out"))
        except ValueError:
            hosts[i] = {"unreadable": open(f"{work}/{name}.{i}.err").read()[:200]}
            continue
        seen = {}
        for s in doc["scans"]:
            if s.get("state") == "up":
                states = {p: "closed" for p in (22, 80, 443)}
                states.update({p["port"]: p["state"] for p in s["ports"]})
                seen[s["address"]] = states
        hosts[i] = seen
    return hosts
def show(hosts):
    first = hosts[1]
    same = all(h == first for h in hosts.values())
    text = ", ".join(f"{a} " + "/".join(f"{p}:{s}" for p, s in sorted(ports.items())) for a, ports in sorted(first.items()))
    return f"{len(first)} up [{text}]" + ("" if same else " (runs differ!)")
for where, what in (("d", "on the link"), ("r", "behind a router")):
    for who, as_ in (("0", "root"), ("1", "nobody")):
        nk, nm = wall(f"nk-{where}-{who}"), wall(f"nmap-{where}-{who}")
        nkh, nmh = netkit_hosts(f"nk-{where}-{who}"), nmap_hosts(f"nmap-{where}-{who}")
        print(f"   {what}, as {as_}: medians netkit {nk:.2f} s, nmap -sT -T4 {nm:.2f} s: netkit/nmap {nk / nm:.2f}x the time (target <= 1)")
        print(f"      netkit: {show(nkh)}")
        print(f"      nmap:   {show(nmh)}")
        if nkh[1] == nmh[1]:
            print("      same up hosts and states: yes")
        else:
            only = lambda a, b: sorted(set(a) - set(b)) or "none"
            print(f"      same up hosts and states: NO (up for netkit only: {only(nkh[1], nmh[1])}; "
                  f"for nmap only: {only(nmh[1], nkh[1])}; states differ on: "
                  f"{sorted(h for h in set(nkh[1]) & set(nmh[1]) if nkh[1][h] != nmh[1][h]) or 'none'})")
    fp, nkp = wall(f"fping-{where}"), wall(f"nkping-{where}")
    alive = lambda name: sorted(open(f"{work}/{name}.1.out").read().split())
    print(f"   {what}, as root: medians netkit ping --alive {nkp:.2f} s, fping -a -g -r 0 {fp:.2f} s: "
          f"netkit/fping {nkp / fp:.2f}x the time (target <= 1)")
    print(f"      netkit: {alive(f'nkping-{where}')}")
    print(f"      fping:  {alive(f'fping-{where}')}")
PY
}

bench_scan_floor() {
  echo "== scan floor: all 65,535 ports of a namespace's 127.0.0.1 (three listeners) vs. a bare connect() loop"
  if ! command -v cc > /dev/null || [ "$(id -u)" != 0 ]; then
    echo "   skipped: needs a C compiler (cc) and root"
    return
  fi
  cc -O2 -pthread -o "$WORK/connect_floor" benches/connect_floor.c
  local ns="nk-bench-floor-$$"
  ip netns add "$ns"
  BENCH_NS=$ns
  ip -n "$ns" link set lo up
  listen_tcp "$ns" 127.0.0.1 22 8080 50505
  local in_ns=(ip netns exec "$ns")
  # Interleaved, five of each; the medians compared.
  for i in 1 2 3 4 5; do
    /usr/bin/time -f "%e" -o "$WORK/floor.$i" "${in_ns[@]}" "$WORK/connect_floor"
    /usr/bin/time -f "%e" -o "$WORK/fl-scan.$i" "${in_ns[@]}" "$NETKIT" scan 127.0.0.1 -p all --json > "$WORK/fl-scan.json"
    /usr/bin/time -f "%e" -o "$WORK/fl-syn.$i" "${in_ns[@]}" "$NETKIT" scan 127.0.0.1 -p all --syn --json > "$WORK/fl-syn.json"
  done
  python3 - "$WORK" <<'PY'
import json, statistics, sys
work = sys.argv[1]
med = lambda name: statistics.median(float(open(f"{work}/{name}.{i}").read().split()[-1]) for i in range(1, 6))
floor, scan, syn = med("floor"), med("fl-scan"), med("fl-syn")
opened = lambda name: sorted(p["port"] for p in json.load(open(f"{work}/{name}.json"))["scans"][0]["ports"] if p["state"] == "open")
print(f"   medians of 5: floor {floor:.2f} s, netkit scan -p all {scan:.2f} s, netkit --syn {syn:.2f} s")
print(f"   connect scan: {scan / floor:.2f}x the floor (target <= 1.25); --syn: {syn / floor:.2f}x (target <= 1.00)")
print(f"   open ports: connect {opened('fl-scan')}, --syn {opened('fl-syn')} (listeners: [22, 8080, 50505])")
PY
  ip netns pids "$ns" | xargs -r kill
  ip netns del "$ns"
  BENCH_NS=""
}

# trace_chain NAME... : a row of namespaces of the script's own: source, routers, destination,
# link i holding 10.202.i.0/24 and fd00:202:i::/64 (.1 and ::1 on the source side, .2 and ::2
# beyond), routes to every link, forwarding on. ICMP rate limits are off, so back-to-back runs
# all get their answers.
trace_chain() {
  local nodes=("$@") n=$#
  BENCH_NS="${nodes[*]}"
  for ns in "${nodes[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward; echo 0 > /proc/sys/net/ipv4/icmp_ratelimit
      echo 1 > /proc/sys/net/ipv6/conf/all/forwarding; echo 0 > /proc/sys/net/ipv6/icmp/ratelimit'
  done
  for ((i = 0; i < n - 1; i++)); do
    ip -n "${nodes[i]}" link add "e${i}a" type veth peer name "e${i}b" netns "${nodes[i + 1]}"
    ip -n "${nodes[i]}" addr add "10.202.$i.1/24" dev "e${i}a"
    ip -n "${nodes[i + 1]}" addr add "10.202.$i.2/24" dev "e${i}b"
    ip -n "${nodes[i]}" addr add "fd00:202:$i::1/64" dev "e${i}a" nodad
    ip -n "${nodes[i + 1]}" addr add "fd00:202:$i::2/64" dev "e${i}b" nodad
    ip -n "${nodes[i]}" link set "e${i}a" up
    ip -n "${nodes[i + 1]}" link set "e${i}b" up
  done
  for ((j = 0; j < n; j++)); do
    for ((i = 0; i < n - 1; i++)); do
      if ((i + 1 < j)); then
        ip -n "${nodes[j]}" route add "10.202.$i.0/24" via "10.202.$((j - 1)).1"
        ip -n "${nodes[j]}" route add "fd00:202:$i::/64" via "fd00:202:$((j - 1))::1"
      elif ((i > j)); then
        ip -n "${nodes[j]}" route add "10.202.$i.0/24" via "10.202.$j.2"
        ip -n "${nodes[j]}" route add "fd00:202:$i::/64" via "fd00:202:$j::2"
      fi
    done
  done
}

bench_trace() {
  echo "== trace: a chain of namespaces, source -> 4 routers -> destination (5 hops)"
  for tool in ip nft traceroute tracepath; do
    if ! command -v "$tool" > /dev/null; then
      echo "   skipped: $tool is not installed (apt-get install iproute2 nftables traceroute iputils-tracepath)"
      return
    fi
  done
  if [ "$(id -u)" != 0 ]; then
    echo "   skipped: needs root for the namespaces"
    return
  fi
  local s="nk-bt-s-$$" d="nk-bt-d-$$"
  trace_chain "$s" "nk-bt-r1-$$" "nk-bt-r2-$$" "nk-bt-r3-$$" "nk-bt-r4-$$" "$d"
  local dest=10.202.4.2
  ip netns exec "$s" "$NETKIT" ping -q -c 1 -W 2 "$dest" > /dev/null || true
  # The same hops from all three.
  ip netns exec "$s" "$NETKIT" trace -n -w 1 "$dest" | awk 'NR > 1 {print $2}' > "$WORK/nk.hops"
  ip netns exec "$s" traceroute -n -w 1 "$dest" | awk 'NR > 1 {print $2}' > "$WORK/tr.hops"
  ip netns exec "$s" tracepath -n "$dest" | awk '$1 ~ /^[0-9]+:$/ && !seen[$1]++ {print $2}' > "$WORK/tp.hops"
  echo "   hops: netkit $(paste -sd' ' "$WORK/nk.hops")"
  echo "         traceroute $(paste -sd' ' "$WORK/tr.hops")"
  echo "         tracepath $(paste -sd' ' "$WORK/tp.hops")"
  if cmp -s "$WORK/nk.hops" "$WORK/tr.hops" && cmp -s "$WORK/nk.hops" "$WORK/tp.hops"; then
    echo "   same hops from all three"
  else
    echo "   THE HOPS DIFFER"
  fi
  export -f median_ms
  in_ns() { ip netns exec "$s" bash -c 'median_ms "$@"' _ "$@"; }
  local runs=11 nk tr tp
  nk=$(in_ns $runs "$NETKIT" trace -n -w 1 "$dest")
  tr=$(in_ns $runs traceroute -n -w 1 "$dest")
  tp=$(in_ns $runs tracepath -n "$dest")
  echo "   netkit trace -n      ${nk} ms   (median of $runs)"
  echo "   traceroute -n        ${tr} ms"
  echo "   tracepath -n         ${tp} ms"
  # A router that keeps its time exceeded (a firewall): every tool waits for that hop.
  printf 'table inet t {\n chain out {\n type filter hook output priority 0;\n icmp type time-exceeded drop\n }\n}\n' |
    ip netns exec "nk-bt-r2-$$" nft -f -
  local nk2 tr2
  nk2=$(in_ns 3 "$NETKIT" trace -n -w 1 "$dest")
  tr2=$(in_ns 3 traceroute -n -w 1 "$dest")
  echo "   with hop 2 silent:  netkit ${nk2} ms, traceroute ${tr2} ms   (median of 3, -w 1)"
  python3 - "$nk" "$tr" "$tp" "$nk2" "$tr2" <<'PY'
import sys
nk, tr, tp, nk2, tr2 = map(float, sys.argv[1:])
print(f"   wall: netkit {nk / tr:.2f}x traceroute's time, {nk / tp:.2f}x tracepath's (target <= 1)")
print(f"   with a silent hop: netkit {nk2 / tr2:.2f}x traceroute's time")
PY
  for ns in $BENCH_NS; do ip netns del "$ns"; done
  BENCH_NS=""
}

# iputils_socket NS HOST : which ICMP socket kind iputils ping opens in NS (by strace), or "?"
iputils_socket() {
  if ! command -v strace > /dev/null; then
    echo "? (strace not installed)"
    return
  fi
  ip netns exec "$1" strace -f -e trace=socket ping -c 1 -W 1 "$2" 2>&1 > /dev/null |
    grep -oE 'SOCK_(RAW|DGRAM), IPPROTO_ICMP(V6)?\) = [0-9]+' | head -1 | cut -d, -f1 || true
}

# rtt_ping LABEL TARGET NS KIND HOST ROUNDS : ROUNDS interleaved rounds of netkit ping -c 20
# -i 0.05 --socket KIND and iputils ping (which opens the kind the namespace's
# ping_group_range leads it to); one row of medians over all the rounds
rtt_ping() {
  local label=$1 target=$2 ns=$3 kind=$4 host=$5 rounds=$6
  : > "$WORK/rtt-nk.txt"
  : > "$WORK/rtt-pe.txt"
  for ((r = 0; r < rounds; r++)); do
    ip netns exec "$ns" "$NETKIT" ping -c 20 -i 0.05 -W 1 --socket "$kind" "$host" >> "$WORK/rtt-nk.txt" 2>&1 || true
    ip netns exec "$ns" ping -c 20 -i 0.05 -W 1 "$host" >> "$WORK/rtt-pe.txt" 2>&1 || true
  done
  python3 benches/rtt_compare.py ping "$label" "$WORK/rtt-nk.txt" "$WORK/rtt-pe.txt" "$target"
}

# rtt_trace LABEL NS HOST RUNS NETKIT_ARGS -- TRACEROUTE_ARGS : RUNS interleaved runs of each,
# one row per hop with the medians of every probe time
rtt_trace() {
  local label=$1 ns=$2 host=$3 runs=$4
  shift 4
  local nk_args=() tr_args=()
  while [ "$1" != -- ]; do nk_args+=("$1"); shift; done
  shift
  tr_args=("$@")
  local nk_out=() tr_out=()
  for ((i = 0; i < runs; i++)); do
    ip netns exec "$ns" "$NETKIT" trace -n -w 1 "${nk_args[@]}" "$host" > "$WORK/rtt-trace-nk.$i" 2>&1 || true
    ip netns exec "$ns" traceroute -n -w 1 "${tr_args[@]}" "$host" > "$WORK/rtt-trace-tr.$i" 2>&1 || true
    nk_out+=("$WORK/rtt-trace-nk.$i")
    tr_out+=("$WORK/rtt-trace-tr.$i")
  done
  python3 benches/rtt_compare.py trace "$label" fast "${nk_out[@]}" -- "${tr_out[@]}"
}

# trace_wall NS DEST [RUNS] : wall time of netkit trace -n against traceroute -n to DEST from
# namespace NS, RUNS runs each (default 21), interleaved (the order swapped every run), timed
# inside the namespace so `ip netns exec` costs neither; checks both found the same hops.
trace_wall() {
  local s=$1 wall_dest=$2 wall_runs=${3:-21}
  ip netns exec "$s" "$NETKIT" trace -n "$wall_dest" | awk 'NR > 1 {print $2}' > "$WORK/rtt-nk.hops"
  ip netns exec "$s" traceroute -n "$wall_dest" | awk 'NR > 1 {print $2}' > "$WORK/rtt-tr.hops"
  # shellcheck disable=SC2016
  ip netns exec "$s" bash -c 'for ((i = 0; i < $1; i++)); do
    if ((i % 2)); then
      t0=$EPOCHREALTIME; traceroute -n "$3" > /dev/null; t1=$EPOCHREALTIME
      "$2" trace -n "$3" > /dev/null; t2=$EPOCHREALTIME
      echo "$t1 $t2 $t0 $t1"
    else
      t0=$EPOCHREALTIME; "$2" trace -n "$3" > /dev/null; t1=$EPOCHREALTIME
      traceroute -n "$3" > /dev/null; t2=$EPOCHREALTIME
      echo "$t0 $t1 $t1 $t2"
    fi
  done' _ $wall_runs "$NETKIT" "$wall_dest" > "$WORK/rtt-wall.txt"
  echo "   hops: netkit $(paste -sd' ' "$WORK/rtt-nk.hops")"
  echo "         traceroute $(paste -sd' ' "$WORK/rtt-tr.hops")"
  python3 - "$WORK" "$wall_runs" <<'PY'
import filecmp, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
rows = [list(map(float, line.split())) for line in open(f"{work}/rtt-wall.txt")]
nk = statistics.median(1000 * (r[1] - r[0]) for r in rows)
tr = statistics.median(1000 * (r[3] - r[2]) for r in rows)
same = filecmp.cmp(f"{work}/rtt-nk.hops", f"{work}/rtt-tr.hops", shallow=False)
print(f"   same hops: {'yes' if same else 'NO'}")
print(f"   wall, median of {len(rows)} interleaved runs: netkit trace -n {nk:.1f} ms, traceroute -n {tr:.1f} ms: "
      f"{nk / tr:.2f}x traceroute's time (target <= 1.00)")
PY
}

# bench_tracewall [RUNS] : only trace's wall time against traceroute's over the 5-hop chain of
# the rtt mode (a quick loop while tuning start-up and probing).
bench_tracewall() {
  echo "== tracewall: trace -n against traceroute -n over 5 hops, wall time"
  for tool in ip traceroute python3; do
    if ! command -v "$tool" > /dev/null; then
      echo "   skipped: needs $tool (apt-get install iproute2 traceroute python3)"
      return
    fi
  done
  if [ "$(id -u)" != 0 ]; then
    echo "   skipped: needs root for the namespaces"
    return
  fi
  local s="nk-bw-s-$$"
  trace_chain "$s" "nk-bw-r1-$$" "nk-bw-r2-$$" "nk-bw-r3-$$" "nk-bw-r4-$$" "nk-bw-d-$$"
  ip netns exec "$s" ping -q -c 1 -W 2 10.202.4.2 > /dev/null || true
  trace_wall "$s" 10.202.4.2 "${1:-21}"
  # The file the linker just wrote starts slower than a copy of it (as cargo install puts it)
  # on some machines, by up to a few tenths of a millisecond: both are shown.
  echo "   the same with a copy of the binary, as cargo install puts it:"
  cp "$NETKIT" "$WORK/netkit"
  NETKIT="$WORK/netkit" trace_wall "$s" 10.202.4.2 "${1:-21}"
  # The static build (`cargo install-static`, .cargo/config.toml): no dynamic loader at start.
  if [ "$(uname -m)" = x86_64 ] && cargo build-static --quiet 2> /dev/null; then
    echo "   the static build (cargo install-static), copied as cargo install puts it:"
    local target_dir=${CARGO_TARGET_DIR:-$PWD/target}
    cp "$target_dir/x86_64-unknown-linux-gnu/release/netkit" "$WORK/netkit-static"
    NETKIT="$WORK/netkit-static" trace_wall "$s" 10.202.4.2 "${1:-21}"
  else
    echo "   (no static build here: it needs Linux on x86_64 with glibc's static libraries)"
  fi
  for ns in $BENCH_NS; do ip netns del "$ns"; done
  BENCH_NS=""
}

# bench_rounds [RUNS] : trace --rounds beside mtr's report over the 5-hop chain, router 2
# dropping ~20% of the packets it forwards toward the destination (so hops 3 to 5 lose them and
# hops 1 and 2 do not); ICMP probes on both sides (mtr's default), rate limits off everywhere.
bench_rounds() {
  local runs=${1:-2}
  echo "== rounds: trace --rounds 100 -i 0.05 --icmp vs. mtr -n -r -c 100 -i 0.05, 5 hops, ~20% dropped after hop 2, $runs interleaved runs"
  for tool in ip nft mtr python3; do
    if ! command -v "$tool" > /dev/null; then
      echo "   skipped: $tool is not installed (apt-get install iproute2 nftables mtr-tiny python3)"
      return
    fi
  done
  if [ "$(id -u)" != 0 ]; then
    echo "   skipped: needs root for the namespaces (and mtr's short interval)"
    return
  fi
  local s="nk-br-s-$$" r2="nk-br-r2-$$" dest=10.202.4.2
  trace_chain "$s" "nk-br-r1-$$" "$r2" "nk-br-r3-$$" "nk-br-r4-$$" "nk-br-d-$$"
  ip netns exec "$s" ping -q -c 1 -W 2 "$dest" > /dev/null || true
  # One direction only (e2a leads toward the destination): a rule on both would lose 1 - 0.8^2.
  printf 'table inet t {\n chain lossy {\n type filter hook forward priority 0;\n oifname "e2a" numgen random mod 100 < 20 drop\n }\n}\n' |
    ip netns exec "$r2" nft -f -
  local mtr_cmd=(mtr -n -r -c 100 -i 0.05 "$dest")
  local nk_cmd=("$NETKIT" trace -n --rounds 100 -i 0.05 --icmp "$dest")
  for ((i = 0; i < runs; i++)); do
    local order=(nk mtr)
    if ((i % 2)); then order=(mtr nk); fi
    for who in "${order[@]}"; do
      local cmd=("${nk_cmd[@]}")
      if [ "$who" = mtr ]; then cmd=("${mtr_cmd[@]}"); fi
      # GNU time counts the children the command waited for: mtr-packet with mtr.
      /usr/bin/time -f '%U %S' -o "$WORK/rounds-$who.$i.time" ip netns exec "$s" "${cmd[@]}" > "$WORK/rounds-$who.$i.out" 2> "$WORK/rounds-$who.$i.err" || true
    done
  done
  echo "   netkit: ${nk_cmd[*]/#$NETKIT/netkit}"
  echo "   mtr:    ${mtr_cmd[*]}"
  python3 - "$WORK" "$runs" <<'PY'
import math, re, sys
work, runs = sys.argv[1], int(sys.argv[2])

def cpu(who):
    out = []
    for i in range(runs):
        parts = open(f"{work}/rounds-{who}.{i}.time").read().split()
        out.append(float(parts[-2]) + float(parts[-1]))
    return out

def hops(who, i):
    """{hop: (host, sent, received)} from one report."""
    rows = {}
    for line in open(f"{work}/rounds-{who}.{i}.out"):
        if who == "mtr":
            m = re.match(r"\s*(\d+)\.\|--\s+(\S+)\s+([\d.]+)%\s+(\d+)\s", line)
            if m:
                sent = int(m[4])
                rows[int(m[1])] = (m[2], sent, round(sent * (1 - float(m[3]) / 100)))
        else:
            m = re.match(r"\s*(\d+)\s+(\S+).*?\s([\d.]+)%\s+(\d+)\s+(\d+)\s", line)
            if m:
                rows[int(m[1])] = (m[2], int(m[4]), int(m[5]))
    return rows

nk_cpu, mtr_cpu = cpu("nk"), cpu("mtr")
for i in range(runs):
    print(f"   run {i + 1}: CPU netkit {nk_cpu[i]:.2f} s, mtr {mtr_cpu[i]:.2f} s")
nk_t, mtr_t = sum(nk_cpu), sum(mtr_cpu)
ratio = nk_t / mtr_t if mtr_t > 0 else float("inf")
print(f"   CPU (user + system, children included), total of {runs} runs: netkit {nk_t:.2f} s, "
      f"mtr {mtr_t:.2f} s: netkit/mtr = {ratio:.2f} (target <= 1.00)")

# Loss per hop, every run pooled per tool.
tot = {"nk": {}, "mtr": {}}
for who in tot:
    for i in range(runs):
        for hop, (host, sent, rcv) in hops(who, i).items():
            h, s, r = tot[who].get(hop, (host, 0, 0))
            tot[who][hop] = (h if h != "???" else host, s + sent, r + rcv)
if not tot["nk"] or not tot["mtr"]:
    print("   NO REPORT PARSED: netkit", open(f"{work}/rounds-nk.0.err").read().strip()[:200],
          "| mtr", open(f"{work}/rounds-mtr.0.err").read().strip()[:200])
    sys.exit(0)
print(f"   {'HOP':>3}  {'netkit host':<14} {'LOSS%':>6} {'SNT':>5}   {'mtr host':<14} {'LOSS%':>6} {'SNT':>5}   "
      f"{'|diff|':>6} {'tol':>6}  check")
fails = 0
for hop in sorted(set(tot["nk"]) | set(tot["mtr"])):
    nh, ns, nr = tot["nk"].get(hop, ("-", 0, 0))
    mh, ms, mr = tot["mtr"].get(hop, ("-", 0, 0))
    if ns == 0 or ms == 0:
        print(f"   {hop:>3}  {nh:<14} {'':>6} {ns:>5}   {mh:<14} {'':>6} {ms:>5}   only one tool has this hop  FAIL")
        fails += 1
        continue
    p1, p2 = 1 - nr / ns, 1 - mr / ms
    pooled = 1 - (nr + mr) / (ns + ms)
    tol = 3 * math.sqrt(pooled * (1 - pooled) * (1 / ns + 1 / ms))
    ok = abs(p1 - p2) <= tol + 1e-9
    fails += not ok
    print(f"   {hop:>3}  {nh:<14} {100 * p1:>5.1f}% {ns:>5}   {mh:<14} {100 * p2:>5.1f}% {ms:>5}   "
          f"{100 * abs(p1 - p2):>5.1f}% {100 * tol:>5.1f}%  {'PASS' if ok else 'FAIL'}")
print(f"   loss within 3 sigma of the pooled binomial at every hop: {'yes' if fails == 0 else f'NO ({fails} hops)'}")
PY
  echo "   netkit's verdict (last run):"
  sed -n '/^verdict:/,$p' "$WORK/rounds-nk.$((runs - 1)).out" | sed 's/^/     /' | head -12
  for ns in $BENCH_NS; do ip netns del "$ns"; done
  BENCH_NS=""
}

# cpu_of PID : "NS TICKS" for a running process: the nanoseconds its live threads have run
# (the sum of /proc/PID/task/*/schedstat, fine-grained) and its user + system clock ticks
# (/proc/PID/stat, exited threads included; 10 ms steps).
cpu_of() {
  local pid=$1 total=0 run f st
  for f in /proc/"$pid"/task/*/schedstat; do
    read -r run _ < "$f" 2> /dev/null && total=$((total + run))
  done
  read -r -a st < /proc/"$pid"/stat
  echo "$total $((st[13] + st[14]))"
}

# has_packet_socket PID : whether PID holds an AF_PACKET socket (its capture is open).
has_packet_socket() {
  local pid=$1 inode
  for inode in $(find /proc/"$pid"/fd -lname 'socket:*' -printf '%l\n' 2> /dev/null | tr -dc '0-9\n'); do
    if awk -v i="$inode" 'NR > 1 && $NF == i {f = 1} END {exit !f}' /proc/"$pid"/net/packet 2> /dev/null; then
      return 0
    fi
  done
  return 1
}

# watch_pair NS PORT COUNT VARIANT ROUND NETKIT_FIRST : one netkit watch variant and tcpdump -w
# capturing the same burst at once on NS's lo; appends "variant round first nk_ns td_ns
# nk_ticks td_ticks burst_s" to $WORK/watch-rows, leaves the outputs as $WORK/watch-VARIANT.ROUND-*.
watch_pair() {
  local ns=$1 port=$2 count=$3 variant=$4 round=$5 nk_first=$6
  local base="$WORK/watch-$variant.$round"
  local nk_cmd=("$NETKIT" watch "$port" --pcap "$base-nk.pcap")
  case $variant in
    quiet) nk_cmd+=(--quiet) ;;
    json) nk_cmd+=(--json) ;;
  esac
  # tcpdump as users run it to write a file (-Z root: it keeps root to write in the work dir);
  # WATCH_TCPDUMP_ARGS adds options (e.g. "-B 32768" for netkit's buffer size).
  # shellcheck disable=SC2206
  local td_cmd=(tcpdump -i lo -Z root ${WATCH_TCPDUMP_ARGS:-} -w "$base-td.pcap" udp port "$port")
  # The print variant: netkit's text beside tcpdump's own text (--print: lines as well as the
  # file), both to /dev/null - what each costs to say what it saw.
  if [ "$variant" = print ]; then
    # shellcheck disable=SC2206
    td_cmd=(tcpdump -n --print -i lo -Z root ${WATCH_TCPDUMP_ARGS:-} -w "$base-td.pcap" udp port "$port")
  fi
  # The text and JSON go to a pipe whose reader keeps the last 64 KiB (the summary) - except
  # the null variant, whose text goes to /dev/null as a user's would (no summary then: its
  # counts come from its pcap file).
  local sink=$base-nk.fifo tail_pid=""
  if [ "$variant" = null ] || [ "$variant" = print ]; then
    sink=/dev/null
    : > "$base-nk.out"
  else
    mkfifo "$sink"
    tail -c 65536 < "$sink" > "$base-nk.out" &
    tail_pid=$!
  fi
  local nk_pid td_pid who
  local order=(nk td)
  if [ "$nk_first" = 0 ]; then order=(td nk); fi
  for who in "${order[@]}"; do
    if [ "$who" = nk ]; then
      ip netns exec "$ns" "${nk_cmd[@]}" > "$sink" 2> "$base-nk.err" &
      nk_pid=$!
    else
      ip netns exec "$ns" "${td_cmd[@]}" > /dev/null 2> "$base-td.err" &
      td_pid=$!
    fi
    sleep 0.2
  done
  # Ready: both hold their packet socket and tcpdump said it listens; then a second idle, so
  # the filters are set and start-up is over before the CPU counts are taken.
  local tries
  for ((tries = 0; tries < 100; tries++)); do
    if has_packet_socket "$nk_pid" && has_packet_socket "$td_pid" && grep -q "listening on" "$base-td.err"; then
      break
    fi
    sleep 0.1
  done
  sleep 1
  local nk_before td_before nk_after td_after nb nt na nta tb tt ta tta
  nk_before=$(cpu_of "$nk_pid")
  td_before=$(cpu_of "$td_pid")
  ip netns exec "$ns" "$WORK/udp_burst" "$port" "$count" 16 2> "$base-burst.err"
  # Drained: neither has run 5 ms more in half a second (tcpdump hands over a part-filled
  # block after 1 s, netkit after 50 ms); at most 60 s.
  local last now
  sleep 1.2
  last="$(cpu_of "$nk_pid") $(cpu_of "$td_pid")"
  for ((tries = 0; tries < 120; tries++)); do
    sleep 0.5
    now="$(cpu_of "$nk_pid") $(cpu_of "$td_pid")"
    # shellcheck disable=SC2086
    if python3 -c 'import sys; a = list(map(int, sys.argv[1].split())); b = list(map(int, sys.argv[2].split()))
sys.exit(0 if b[0] - a[0] < 5e6 and b[2] - a[2] < 5e6 else 1)' "$last" "$now"; then
      break
    fi
    last=$now
  done
  nk_after=$(cpu_of "$nk_pid")
  td_after=$(cpu_of "$td_pid")
  kill -INT "$nk_pid" "$td_pid" 2> /dev/null || true
  wait "$nk_pid" || true
  wait "$td_pid" || true
  if [ -n "$tail_pid" ]; then wait "$tail_pid" || true; fi
  rm -f "$base-nk.fifo"
  read -r nb nt <<< "$nk_before"
  read -r na nta <<< "$nk_after"
  read -r tb tt <<< "$td_before"
  read -r ta tta <<< "$td_after"
  local burst
  burst=$(awk '/^sent/ {print $5}' "$base-burst.err")
  echo "$variant $round $nk_first $((na - nb)) $((ta - tb)) $((nta - nt)) $((tta - tt)) ${burst:-0}" >> "$WORK/watch-rows"
  # Each file read back by tcpdump itself (it must open netkit's), then counted datagram by
  # datagram by the report; the files go once counted (each is ~20 MB).
  echo "$(tcpdump -n -r "$base-nk.pcap" 2> /dev/null | wc -l) $(tcpdump -n -r "$base-td.pcap" 2> /dev/null | wc -l)" > "$base-read"
  python3 - "$base" "$port" "$count" <<'PY'
import struct, sys
base, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def numbers(path):
    """(records, the burst's datagram numbers seen) of a pcap file (Ethernet, as on lo)."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return 0, []
    magic = data[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    at, records, seen = 24, 0, []
    while at + 16 <= len(data):
        incl = struct.unpack_from(end + "I", data, at + 8)[0]
        frame = data[at + 16:at + 16 + incl]
        at += 16 + incl
        records += 1
        if len(frame) >= 14 + 20 and frame[12:14] == b"\x08\x00" and frame[23] == 17:
            udp = 14 + (frame[14] & 15) * 4
            if len(frame) >= udp + 12 and struct.unpack_from(">H", frame, udp + 2)[0] == port:
                seen.append(struct.unpack_from(">I", frame, udp + 8)[0])
    return records, seen

with open(base + "-counts", "w") as out:
    for who in ("nk", "td"):
        records, seen = numbers(f"{base}-{who}.pcap")
        unique = set(seen)
        missing = sum(1 for n in range(count) if n not in unique)
        out.write(f"{who} {records} {len(unique)} {len(seen) - len(unique)} {missing}\n")
PY
  rm -f "$base-nk.pcap" "$base-td.pcap"
}

# bench_watch [RUNS] : netkit watch beside tcpdump -w on a namespace's loopback, both capturing
# the same burst at once (issue 26's Performance): a C sender's 200,000 datagrams of 16 bytes
# to a port where a receiver is bound (without one, loopback would answer each with a port
# unreachable), RUNS interleaved rounds of each netkit variant, the one started first
# alternating.
bench_watch() {
  local runs=${1:-5} count=${WATCH_BURST:-200000} port=9555
  echo "== watch: netkit watch --pcap vs. tcpdump -w, capturing at once a burst of $count UDP datagrams (16 bytes) on a namespace's lo, $runs interleaved rounds"
  for tool in ip tcpdump cc python3 mkfifo; do
    if ! command -v "$tool" > /dev/null; then
      echo "   skipped: $tool is not installed (apt-get install iproute2 tcpdump gcc python3)"
      return
    fi
  done
  if [ "$(id -u)" != 0 ]; then
    echo "   skipped: needs root (a namespace, packet capture)"
    return
  fi
  cc -O2 -o "$WORK/udp_burst" benches/udp_burst.c
  local ns="nk-bwatch-$$"
  ip netns add "$ns"
  BENCH_NS=$ns
  ip -n "$ns" link set lo up
  # The receiver only binds: the datagrams past its buffer are dropped silently (no ICMP).
  ip netns exec "$ns" python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True); time.sleep(900)' "$port" > "$WORK/watch-receiver.out" &
  local tries
  for ((tries = 0; tries < 50; tries++)); do
    grep -q ready "$WORK/watch-receiver.out" && break
    sleep 0.1
  done
  : > "$WORK/watch-rows"
  # WATCH_VARIANTS: some of them only, e.g. "quiet" while tuning.
  # shellcheck disable=SC2206
  local variants=(${WATCH_VARIANTS:-null text quiet json print}) round v
  for ((round = 1; round <= runs; round++)); do
    for ((v = 0; v < ${#variants[@]}; v++)); do
      watch_pair "$ns" "$port" "$count" "${variants[v]}" "$round" $(((round + v) % 2))
    done
  done
  echo "   netkit: netkit watch $port --pcap A.pcap [--quiet | --json]; tcpdump: tcpdump -i lo -Z root ${WATCH_TCPDUMP_ARGS:+$WATCH_TCPDUMP_ARGS }-w B.pcap udp port $port"
  python3 - "$WORK" "$count" <<'PY'
import json, re, statistics, sys
work, count = sys.argv[1], int(sys.argv[2])
names = {
    "null": "--pcap, text > /dev/null",
    "text": "--pcap, text > pipe",
    "quiet": "--quiet --pcap",
    "json": "--json --pcap > pipe",
    "print": "text>null vs td --print",
}
rows = [line.split() for line in open(f"{work}/watch-rows")]

def netkit_summary(base):
    """(shown, kernel received, kernel dropped) from netkit's last output, or Nones."""
    text = open(f"{base}-nk.out", errors="replace").read()
    for line in reversed(text.splitlines()):
        if line.startswith("{") and '"summary"' in line:
            try:
                s = json.loads(line)
            except ValueError:
                break
            return s.get("packets"), s.get("kernel_received"), s.get("kernel_dropped")
    m = re.search(r"([\d,]+) packets? shown on \S+; the kernel dropped ([\d,]+)", text)
    if m:
        return int(m[1].replace(",", "")), None, int(m[2].replace(",", ""))
    return None, None, None

def tcpdump_counts(base):
    text = open(f"{base}-td.err").read()
    get = lambda what: int(m[1]) if (m := re.search(r"(\d+) packets? " + what, text)) else None
    return get("captured"), get("received by filter"), get("dropped by kernel")

show = lambda x: "-" if x is None else f"{x:,}"
print(f"   {'variant':<25} {'rnd':>3} {'first':>5} | {'nk shown':>9} {'nk drop':>7} {'nk file':>9} {'miss':>5} | "
      f"{'td capt':>9} {'td filt':>9} {'td drop':>7} {'td file':>9} {'miss':>5} | {'nk ms':>7} {'td ms':>7} {'ratio':>6} {'tick':>5} | burst s")
ratios, tick_ratios, problems = {}, {}, []
for variant, rnd, first, nk_ns, td_ns, nk_t, td_t, burst in rows:
    base = f"{work}/watch-{variant}.{rnd}"
    shown, _, nk_drop = netkit_summary(base)
    captured, filtered, td_drop = tcpdump_counts(base)
    counts = {}
    for line in open(f"{base}-counts"):
        who, records, unique, dups, missing = line.split()
        counts[who] = (int(records), int(unique), int(dups), int(missing))
    read_nk, read_td = map(int, open(f"{base}-read").read().split())
    nk_ms, td_ms = int(nk_ns) / 1e6, int(td_ns) / 1e6
    ratio = nk_ms / td_ms if td_ms else float("inf")
    tick = int(nk_t) / int(td_t) if int(td_t) else float("inf")
    ratios.setdefault(variant, []).append(ratio)
    tick_ratios.setdefault(variant, []).append(tick)
    print(f"   {names[variant]:<25} {rnd:>3} {'nk' if first == '1' else 'td':>5} | {show(shown):>9} {show(nk_drop):>7} "
          f"{counts['nk'][0]:>9,} {counts['nk'][3]:>5} | {show(captured):>9} {show(filtered):>9} {show(td_drop):>7} "
          f"{counts['td'][0]:>9,} {counts['td'][3]:>5} | {nk_ms:>7.0f} {td_ms:>7.0f} {ratio:>6.2f} {tick:>5.2f} | {burst}")
    label = f"{names[variant]} round {rnd}"
    if shown is not None and captured is not None and shown < captured:
        problems.append(f"{label}: netkit showed {shown:,}, fewer than tcpdump's {captured:,} captured")
    if nk_drop:
        problems.append(f"{label}: netkit's kernel dropped {nk_drop:,}")
    if counts["nk"][3]:
        problems.append(f"{label}: {counts['nk'][3]:,} of the burst's datagrams missing from netkit's file")
    if counts["nk"][2] or counts["td"][2]:
        problems.append(f"{label}: datagrams twice in a file (netkit {counts['nk'][2]}, tcpdump {counts['td'][2]})")
    if read_nk != counts["nk"][0] or read_td != counts["td"][0]:
        problems.append(f"{label}: tcpdump -r read {read_nk:,} / {read_td:,} packets, the files hold {counts['nk'][0]:,} / {counts['td'][0]:,}")
print("   (shown/drop: netkit's summary; file: packets in its pcap file, read back by tcpdump -r and by this script;")
print("    miss: of the burst's datagrams, numbered 0..N-1, those absent from the file; capt/filt/drop: tcpdump's")
print("    'captured', 'received by filter' (lo's two copies), 'dropped by kernel'; ms: CPU (user + system) over")
print("    the burst and its draining, start-up excluded, from schedstat; tick: the same ratio in clock ticks)")
for variant in names:
    if variant in ratios:
        peer = "tcpdump -n --print -w > /dev/null" if variant == "print" else "tcpdump -w"
        print(f"   {names[variant]:<25} median CPU netkit/{peer}: {statistics.median(ratios[variant]):.2f} "
              f"(in ticks {statistics.median(tick_ratios[variant]):.2f}; target <= 1.00)")
print("   every datagram in netkit's files, none twice, netkit's kernel drops 0, netkit shown >= tcpdump captured: "
      + ("yes" if not problems else "NO"))
for p in problems:
    print(f"     {p}")
PY
  ip netns pids "$ns" | xargs -r kill 2> /dev/null || true
  ip netns del "$ns"
  BENCH_NS=""
}

bench_rtt() {
  echo "== rtt: netkit's round-trip times beside iputils ping's and traceroute's, same run"
  for tool in ip ping traceroute python3; do
    if ! command -v "$tool" > /dev/null; then
      echo "   skipped: needs $tool (apt-get install iproute2 iputils-ping traceroute python3)"
      return
    fi
  done
  if [ "$(id -u)" != 0 ]; then
    echo "   skipped: needs root (namespaces, raw sockets, intervals below 0.2 s)"
    return
  fi
  export RTT_MISSES="$WORK/rtt-misses"
  : > "$RTT_MISSES"
  local c="nk-br-c-$$" p="nk-br-p-$$"
  veth_pair "$c" "$p" 10.203.0
  ip -n "$c" addr add fd00:203::1/64 dev c0 nodad
  ip -n "$p" addr add fd00:203::2/64 dev p0 nodad
  # Neighbours resolved before the first timed probe.
  ip netns exec "$c" ping -q -c 1 -W 2 10.203.0.2 > /dev/null || true
  ip netns exec "$c" ping -q -c 1 -W 2 fd00:203::2 > /dev/null || true
  echo "   ping -c 20 -i 0.05, 2 interleaved rounds each: ms; the peer is iputils ping"
  echo "   (target: within 20 us or 10 % of iputils' median, whichever is larger)"
  local kind host
  for kind in raw dgram; do
    # ping_group_range is per namespace: closed, iputils falls back to its raw socket; open, it
    # takes the datagram one first (as netkit --socket dgram must).
    if [ "$kind" = raw ]; then
      ip netns exec "$c" sysctl -qw net.ipv4.ping_group_range="1 0"
    else
      ip netns exec "$c" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
    fi
    echo "   $kind: netkit --socket $kind; iputils opened $(iputils_socket "$c" 127.0.0.1) (IPv4), $(iputils_socket "$c" ::1) (IPv6)"
    for host in 10.203.0.2 fd00:203::2 127.0.0.1 ::1; do
      rtt_ping "$kind $host" fast "$c" "$kind" "$host" 2
    done
  done
  # A peer 5 ms away: its kernel stays silent, benches/icmp_delay_peer.py answers 5 ms after
  # each request arrived.
  echo "   the same across the veth with 5 ms added by a delaying peer, 3 rounds each (target: within 2 %)"
  ip netns exec "$p" sh -c 'echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all; echo 1 > /proc/sys/net/ipv6/icmp/echo_ignore_all'
  ip netns exec "$p" python3 benches/icmp_delay_peer.py --delay-ms 5 --max-seconds 300 > /dev/null &
  ip netns exec "$p" python3 benches/icmp_delay_peer.py --delay-ms 5 -6 --max-seconds 300 > /dev/null &
  sleep 1
  for kind in raw dgram; do
    if [ "$kind" = raw ]; then
      ip netns exec "$c" sysctl -qw net.ipv4.ping_group_range="1 0"
    else
      ip netns exec "$c" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
    fi
    for host in 10.203.0.2 fd00:203::2; do
      rtt_ping "$kind $host +5ms" slow "$c" "$kind" "$host" 3
    done
  done
  ip netns pids "$p" | xargs -r kill 2> /dev/null || true
  ip netns del "$c"
  ip netns del "$p"
  BENCH_NS=""

  # trace: source -> 4 routers -> destination, a TCP listener on the destination.
  local s="nk-br-s-$$" d="nk-br-d-$$" port=8080 runs=5
  trace_chain "$s" "nk-br-r1-$$" "nk-br-r2-$$" "nk-br-r3-$$" "nk-br-r4-$$" "$d"
  ip netns exec "$d" python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1]))); s.listen(128); s.settimeout(0.5)
end = time.monotonic() + 600
while time.monotonic() < end:
    try:
        s.accept()[0].close()
    except socket.timeout:
        pass' "$port" &
  sleep 0.5
  ip netns exec "$s" ping -q -c 1 -W 2 10.202.4.2 > /dev/null || true
  ip netns exec "$s" ping -q -c 1 -W 2 fd00:202:4::2 > /dev/null || true
  echo "   trace -n -w 1 per hop over 5 hops, $runs interleaved runs: medians in ms; the peer is traceroute -n -w 1"
  echo "   (target: within 20 us or 10 % of traceroute's median, whichever is larger)"
  local dest
  for dest in 10.202.4.2 fd00:202:4::2; do
    local fam=v4
    [ "$dest" = fd00:202:4::2 ] && fam=v6
    rtt_trace "udp $fam" "$s" "$dest" $runs -- 
    rtt_trace "icmp $fam" "$s" "$dest" $runs --icmp -- -I
    rtt_trace "tcp:$port $fam" "$s" "$dest" $runs --tcp $port -- -T -p $port
  done
  echo "   trace -n -w 1 to the source's own loopback, $runs interleaved runs"
  for dest in 127.0.0.1 ::1; do
    rtt_trace "udp $dest" "$s" "$dest" $runs --
    rtt_trace "icmp $dest" "$s" "$dest" $runs --icmp -- -I
  done

  trace_wall "$s" 10.202.4.2
  ip netns pids "$d" | xargs -r kill 2> /dev/null || true
  for ns in $BENCH_NS; do ip netns del "$ns"; done
  BENCH_NS=""
  local misses
  misses=$(wc -l < "$RTT_MISSES")
  echo "   rows missing their target: $misses"
  sed 's/^/     /' "$RTT_MISSES"
}

case "${1:-all}" in
  classify) bench_classify "${2:-1000000}" ;;
  subnet) bench_subnet "${2:-1000000}" ;;
  ifaces) bench_ifaces "${2:-1000}" ;;
  ping) bench_ping ;;
  echo) bench_echo ;;
  scan) bench_scan ;;
  trace) bench_trace ;;
  floor) bench_scan_floor ;;
  rtt) bench_rtt ;;
  tracewall) bench_tracewall "${2:-21}" ;;
  netscan) bench_netscan "${2:-5}" ;;
  rounds) bench_rounds "${2:-2}" ;;
  watch) bench_watch "${2:-5}" ;;
  all)
    bench_classify 1000000
    bench_subnet 1000000
    bench_ifaces 1000
    bench_ping
    bench_scan
    bench_scan_floor
    bench_echo
    bench_trace
    bench_rtt
    bench_netscan 5
    bench_rounds 2
    bench_watch 5
    ;;
  *) echo "usage: $0 [classify [N] | subnet [N] | ifaces [N] | ping | scan | echo | trace | floor | rtt | tracewall [RUNS] | netscan [RUNS] | rounds [RUNS] | watch [RUNS]]" >&2; exit 2 ;;
esac
