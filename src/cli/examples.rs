//! The examples and the exit-code note shown after each command's --help.

pub(super) const EXIT_CODES: &str = "\
Exit codes: 0 success; 1 the answer asked about is no (no ping or echo reply, a file that came
back different); 2 bad input, bad usage, or an environment problem (permission, port in use, a
name that does not resolve); 130 a scan cut short by Ctrl-C. A closed stdout (| head) exits 0.";

pub(super) const CLASSIFY_EXAMPLES: &str = "\
Examples:
  netkit classify 172.20.1.5            class B, private (RFC 1918), binary, classful split
  netkit classify 192.168.1.77/26       + subnet math: network, broadcast, usable hosts
  netkit classify --explain 10.1.2.3    teaching view: class bits and network/host marked
  netkit classify fe80::1%eth0 2002:c000:221::1
  netkit classify --json - < addresses.txt
  netkit classify --classes             the classful table (A-E)";

pub(super) const SUBNET_EXAMPLES: &str = "\
Examples:
  netkit subnet 192.168.1.0/24 --split 4          four /26 subnets
  netkit subnet 192.168.1.0/24 --prefix 27 --explain   every /27, and the borrowed bits
  netkit subnet 192.168.1.0/24 --hosts 50,20,10,2  VLSM: the smallest block for each
  netkit subnet 10.0.0.5-10.0.0.77                 a range as the fewest CIDR blocks
  netkit subnet --aggregate 10.0.0.0/24 10.0.1.0/24 10.0.3.0/24
  netkit subnet --aggregate - < prefixes.txt       millions of lines, aggregated
  netkit subnet 192.168.1.10 192.168.1.200 --mask 255.255.255.128   same subnet? (exit 0/1)
  netkit subnet 10.0.0.0/8 --contains 10.1.2.3 11.0.0.1             inside? (exit 0/1)";

pub(super) const IFACES_EXAMPLES: &str = "\
Examples:
  netkit ifaces              the interfaces that are up, one row per address
  netkit ifaces -a -l        all of them, ifconfig-style with traffic counters
  netkit ifaces eth0 -4      one interface, IPv4 only
  netkit ifaces --json";

pub(super) const PING_EXAMPLES: &str = "\
Examples:
  netkit ping 127.0.0.1 -c 4          four probes, then the statistics
  netkit ping ::1 localhost -c 3      several hosts at once, a table at the end
  netkit ping 127.0.0.1 --tcp 22      time TCP connects: no privilege needed
  netkit ping -c 10 -i 0.2 -q host    only the statistics
  netkit ping 10.0.0.0/24             a sweep, as fping -g: every address once, a table at the end
  netkit ping 10.0.0.1-20 --alive     only the addresses that answered, one a line (fping -a)
  netkit ping 10.0.0.0/24 -W 300ms    a shorter wait for each address (default 1 s)

A sweep (a block, a range, or more than 4 addresses) asks every address at once, at most 500
in flight. On a directly connected subnet an address is up when it answers ARP (or IPv6
neighbour discovery), its firewall whatever: with root or CAP_NET_RAW netkit sends its own ARP
requests or neighbour solicitations (three within the wait, as nmap's ARP ping); otherwise the
kernel resolves it and netkit follows the kernel's neighbour table. An address unanswered within the wait (-W, 1 s by
default; the kernel itself gives up after about 3 s) is down. Behind a router: an echo request
and TCP connects to ports 80 and 443, a reset counting as up; a router's host unreachable, or
nothing within the wait, is down. A sweep takes about the wait, longer when it holds more
addresses than are in flight; Ctrl-C prints what was found. Exit codes, as fping's: 0 when
every address answered, 1 when some did not (use --alive's list), 130 when stopped.

Privilege: a raw ICMP socket (root or CAP_NET_RAW) shows TTLs, duplicates and ICMP errors;
without one netkit uses the datagram socket that net.ipv4.ping_group_range allows.

Times: an echo's time is the kernel's receive stamp of the reply minus the send time, read
just before the send (as iputils measures). With --tcp, an open port's time is the kernel's
RTT of the handshake (tcpi_rtt); a closed port's (a reset) is the connect's own time.";

pub(super) const CHECK_EXAMPLES: &str = "\
Examples:
  netkit check                 loopback, own address, gateway; the resolver named
  netkit check example.com     ... then resolve the name and reach the host (ping, TCP 443/80)
  netkit check 10.0.0.5 --json

Times: a ping's is the kernel's receive stamp of the reply minus the send time; a TCP
connect's the kernel's RTT of the handshake (a reset's, the connect's own); other steps (the
loopback connection, reading the interfaces, a name lookup) the time the step took.

Exit status: 0 every step passed, 1 a step failed, 2 bad arguments or errors.";

pub(super) const TRACE_EXAMPLES: &str = "\
Examples:
  netkit trace 10.200.3.2 -n          UDP probes, as tracepath sends them: no privilege needed
  netkit trace 10.200.3.2 --icmp -n   ICMP echo probes (raw socket, or the datagram kind)
  netkit trace 10.200.3.2 --tcp 443   SYNs to a port a firewall lets through
  netkit trace fd00:3::2 -q 1 -w 1    one probe per hop, a second each
  netkit trace 10.200.3.2 --rounds 60 -n        where packets are lost: 60 rounds, a
                                                second apart, mtr's columns and a verdict
  netkit trace 10.200.3.2 --rounds 0 --icmp     until Ctrl-C, then the report

Marks after a time: !H host, !N network, !P protocol unreachable, !X administratively
prohibited. A line that leaves private (or CGN 100.64/10) space for public space is marked:
that is where a lab network ends.

Times: the kernel's receive stamp of the answer (a router's ICMP error, the destination's
port unreachable or echo reply) minus the send time, as traceroute measures; a --tcp probe
that the destination accepts, the kernel's RTT of the handshake; one it resets, the
connect's own time.";

pub(super) const ECHO_EXAMPLES: &str = "\
Examples:
  netkit echo --udp 7788                  UDP echo on port 7788, all interfaces
  netkit echo 9000 --tcp --mode upper     TCP, answers in upper case
  netkit echo 9000 --tcp --mode relay     a chat room: each message goes to every other client
  netkit echo 8080 --udp --mode chat      the lessons' chat server: the sender gets it too
  netkit echo 9000 --tcp --framed         4-byte big-endian length, then the message
  netkit echo 9000 --tcp --framed=le32    the hand-outs' struct.pack('i', n) header
  netkit echo 9000 --tcp --framed-out=le32   bare requests, answers after a struct.pack('i') header
  netkit echo 7788 --udp --recv-size 10   recvfrom(10): longer datagrams are cut
  netkit echo --bind 127.0.0.1            both protocols, this machine only, a port the OS picks

Ctrl-C or SIGTERM stops it and prints the summary. Datagrams from ports below 1024 or from
broadcast, multicast or unspecified sources are dropped, and each source is rate-limited: an
echo service must not become a reflector (CVE-2024-2169).";

pub(super) const LISTEN_EXAMPLES: &str = "\
Examples:
  netkit listen 8888 --tcp                 type a line: every connected client gets it
  netkit listen 7788 --udp                 a line goes to the peer heard from last
  netkit listen 8888 --tcp --reply Hello   the hand-outs' server: every message gets Hello
  netkit listen 9000 --udp --reply command=ok --reply 'speed?=100.0' --reply error
                                           a fake drone: an answer per request, error to the rest
  netkit listen 8888 --tcp --timestamps --save got.bin --show hex
                                           NetAssist's view: times, a hex dump, bytes kept in a file
  netkit listen 8888 --tcp --once          end when the first client disconnects
  netkit listen 7788 --udp --encoding gbk  show (and send) GBK text, as Windows tools do
  netkit listen 5000 --udp --join 239.1.1.1 --iface eth0   a multicast group's datagrams

TCP clients are numbered as they connect (#1, #2, ... in the log). A typed line goes to every
client; a line starting with @N and a space goes to client #N alone (@2 hello), and @@
starts a line for everyone with one @. EOF on stdin leaves it running; Ctrl-C or SIGTERM ends
it with the summary.";

pub(super) const SEND_EXAMPLES: &str = "\
Examples:
  netkit send --udp 127.0.0.1:7788 hello world   two datagrams, two replies
  netkit send 127.0.0.1:9000                     interactive, a chat: each stdin line is sent,
                                                 and whatever arrives is shown when it arrives
  netkit send --udp --bind :7890 127.0.0.1:7891  one end of a UDP chat (mirror it on 7891)
  netkit send --udp 127.0.0.1:7788 --encoding gbk 你好   the four GBK bytes c4 e3 ba c3
  netkit send 127.0.0.1:9000 --hex '48 65 6c 6c 6f'     bytes given as hex digits
  netkit send --udp 127.0.0.1:7788 hi --count 5 --interval 1s   a timed resend
  netkit send [::1]:9000 --framed hi             a length-framed message over TCP
  netkit send 127.0.0.1:8080 --framed-in=le32 dir   the remote-command server: a bare
                                                 command, a struct.pack('i')-framed answer
  netkit send 127.0.0.1:8080 --framed-in=le32 'get a.txt'   the file server: its JSON
                                                 header shown, the file's size and md5 checked
  netkit send 127.0.0.1:9000 --burst one two     two quick sends: watch them glue
  netkit send 127.0.0.1:9000 --file big.bin      sent 1048576 bytes, received 1048576, identical
  netkit send --udp 127.0.0.1:7788 --count 1000 --size 512    loss, reordering, RTT

Times: a reply's time is the kernel's receive stamp of the reply (over TCP, of its first
segment) minus the send time read just before the send.

No reply is not a loss: a UDP datagram without an answer may have reached a program that does
not answer, or been dropped (netkit has no way to tell); over TCP the kernel delivered the bytes, and
the program did not answer in time. Only the measure mode (--count without MESSAGEs) counts
losses. A name is tried address by address (TCP: the next on a failed connect; UDP: the next
on a port unreachable), and the one in use is named.

Interactive mode is a chat, not a measurement: it says the local address and port it sends from
(the OS chooses the port each run unless --bind fixes it), `sent line N: B bytes` for each line,
and each arrival with who sent it and the local time it came. netkit cannot know whether bytes
answer a line: an arrival counts as the answer to the oldest line still waiting for its first
answer, sent before it and at most --timeout earlier (a datagram or a frame answers one line, an
unframed TCP read every line waiting), and shows the time since that line, its RTT; anything
else is a message from the peer, with no RTT.

Exit codes: 0 every message went out and nothing reported an error, reply or not; 1 a message
could not be sent or was reset before the server took it (it had closed the connection), a
message got no reply with --expect-reply, the measure mode lost or changed one, or a --file
came back different; 2 bad input, or the server could not be reached (refused, nothing
listens on the UDP port); 130 --count, --burst or --file cut short by Ctrl-C.";

pub(super) const SCAN_EXAMPLES: &str = "\
Examples:
  netkit scan 127.0.0.1                    the well-known ports (1-1023)
  netkit scan 127.0.0.1 -p 22,80,8000-8100,https
  netkit scan 127.0.0.1 -p all --open      every port, only the open ones listed
  netkit scan 10.0.0.0/29 -p ssh           the hosts of a block (not its network/broadcast)
  netkit scan 127.0.0.1 --udp -p 53,123,161   UDP: a reply is open, ICMP port unreachable closed
  sudo netkit scan 127.0.0.1 --syn -p all  half-open SYN scan (raw sockets: root or CAP_NET_RAW)

UDP scans are slow against most hosts, and honestly so: a closed UDP port answers only with an
ICMP port unreachable, which kernels rate-limit (Linux: about one a second per source after a
burst of six). netkit retries the silent ports at the rate the answers come back, so that a
closed port is not reported open|filtered because its ICMP message was suppressed.

Scan only hosts you are allowed to scan.";

pub(super) const PORT_EXAMPLES: &str = "\
Examples:
  netkit port 80 8080 50000 https
  netkit port 8080                 what it means, and which program holds it here
  netkit port 0 54321              what port 0 means; whether the OS gives clients 54321 here
  netkit port --listening          every listening port of this machine, with its program
  netkit port --json 7788

Programs of other users are shown only to root: their sockets read \"a process you cannot
see (try sudo)\".";

pub(super) const WATCH_EXAMPLES: &str = "\
Examples:
  sudo netkit watch 9000              the packets of port 9000 on lo, each explained
  sudo netkit watch 9000 -c 10        stop after 10 packets
  sudo netkit watch 7000-7010 --duration 30s --pcap lesson.pcap   also saved for Wireshark
  sudo netkit watch 9000 --encoding gbk     payloads read as GBK text
  sudo netkit watch --iface veth1 80  a lab namespace's link
Capturing needs root or CAP_NET_RAW. Each packet's time is the kernel's receive stamp, shown
since the first packet; seq and ack are relative (the SYN is 0, the first byte 1), as
tcpdump prints them.";
