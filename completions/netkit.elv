
use builtin;
use str;

set edit:completion:arg-completer[netkit] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'netkit'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'netkit'= {
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand classify 'Say what an address is: class A-E, private or public, special-purpose ranges, binary form, and subnet math for CIDR input'
            cand subnet 'Plan networks: split a block (--split N, --prefix LEN), VLSM by host counts (--hosts), a range as CIDR blocks, --aggregate a list, same subnet? (--mask), --contains'
            cand ifaces 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
            cand ifconfig 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
            cand ipconfig 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
            cand ping 'Send ICMP echo requests (or timed TCP connects) to hosts, with iputils'' output and statistics; several hosts are pinged at once'
            cand trace 'The path to a host, hop by hop, each hop classified: UDP probes (unprivileged), --icmp or --tcp PORT, many hops in flight at once'
            cand check 'Is my network OK? The ladder: loopback, this machine''s address, the gateway, name resolution, then HOST; each step with its result, its time and what a failure means'
            cand echo 'Open a UDP and/or TCP echo endpoint to test socket code against (echo, upper-case, relay between clients, length-framed messages)'
            cand listen 'A server you answer by hand: shows each connection and message, and sends each line typed on stdin to the clients (TCP) or to the last peer (UDP)'
            cand send 'Send messages to a UDP or TCP server and print each reply with its round-trip time'
            cand scan 'Scan ports of hosts: TCP connects (no privilege needed), --syn half-open scans or --udp probes; which ports are open, closed or filtered, and why'
            cand port 'Say what a port number means: IANA range (well-known, registered, dynamic) and service names'
            cand watch 'Capture the packets of given ports (on lo, or --iface) and say what each one means: the handshake, data, the close, resets, SYNs sent again, a full window; a summary at the end'
            cand generate 'Write shell completions into completions/ and man pages into man/ under DIR'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'netkit;classify'= {
            cand -f 'Read addresses from a file, one per line (blank lines and # comments are skipped)'
            cand --file 'Read addresses from a file, one per line (blank lines and # comments are skipped)'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand -e 'Teaching view: the binary form with class bits and the network/host split marked, and one sentence for each range the address is in'
            cand --explain 'Teaching view: the binary form with class bits and the network/host split marked, and one sentence for each range the address is in'
            cand -b 'One line per address, also for addresses given as arguments (streams always are)'
            cand --brief 'One line per address, also for addresses given as arguments (streams always are)'
            cand --classes 'Print the classful table: classes A-E, leading bits, ranges, masks, networks, hosts'
            cand --registry 'Print the IANA special-purpose and multicast blocks netkit knows, with the snapshot date'
            cand --json 'JSON on stdout: one object per input (JSON lines); a bad input becomes {"input": ..., "error": ...} in its place'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;subnet'= {
            cand --split 'Split the block into N equal subnets (rounded up to a power of two, and said so)'
            cand --prefix 'Split the block into every subnet of this prefix length'
            cand --hosts 'VLSM: a subnet for each host count, the largest first, each the smallest that holds it'
            cand --mask 'Are the two addresses on the same subnet under this mask (255.255.255.128, /25 or 25)? Exit 0 when they are, 1 when not'
            cand --contains 'Which of these addresses or blocks lie inside the block? Exit 0 when all do, 1 when not'
            cand --limit 'Most rows an IPv6 split lists before it only counts the rest (0: no limit)'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --aggregate 'The shortest list of blocks covering the same addresses (adjacent and contained ones merged; IPv4 and IPv6 each on their own)'
            cand -e 'The binary view: which bits are borrowed for the subnet number, and what they give'
            cand --explain 'The binary view: which bits are borrowed for the subnet number, and what they give'
            cand --json 'JSON: one document for a VLSM plan, a same-subnet answer or --contains; JSON lines for a split, a range and --aggregate: a line per block ({"subnet": ...}), then a {"summary": ...} line. A count past 2^64 - 1 is a decimal string (an IPv6 block''s addresses and usable_hosts always are)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;ifaces'= {
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand -a 'Also show interfaces that are down'
            cand --all 'Also show interfaces that are down'
            cand -4 'IPv4 addresses only (and only interfaces that have one)'
            cand -6 'IPv6 addresses only (and only interfaces that have one)'
            cand -l 'ifconfig-style blocks with traffic counters instead of the table'
            cand --long 'ifconfig-style blocks with traffic counters instead of the table'
            cand --json 'JSON on stdout: {"interfaces": [...], "default_routes": [...]}'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;ifconfig'= {
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand -a 'Also show interfaces that are down'
            cand --all 'Also show interfaces that are down'
            cand -4 'IPv4 addresses only (and only interfaces that have one)'
            cand -6 'IPv6 addresses only (and only interfaces that have one)'
            cand -l 'ifconfig-style blocks with traffic counters instead of the table'
            cand --long 'ifconfig-style blocks with traffic counters instead of the table'
            cand --json 'JSON on stdout: {"interfaces": [...], "default_routes": [...]}'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;ipconfig'= {
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand -a 'Also show interfaces that are down'
            cand --all 'Also show interfaces that are down'
            cand -4 'IPv4 addresses only (and only interfaces that have one)'
            cand -6 'IPv6 addresses only (and only interfaces that have one)'
            cand -l 'ifconfig-style blocks with traffic counters instead of the table'
            cand --long 'ifconfig-style blocks with traffic counters instead of the table'
            cand --json 'JSON on stdout: {"interfaces": [...], "default_routes": [...]}'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;ping'= {
            cand -c 'Stop after COUNT probes (default: until Ctrl-C; in a sweep 1: each address is asked at most COUNT times, until it answers)'
            cand --count 'Stop after COUNT probes (default: until Ctrl-C; in a sweep 1: each address is asked at most COUNT times, until it answers)'
            cand -i 'Time between probes, kept on a fixed schedule: seconds, or with a unit (200ms, 1.5s); below 0.2 s needs root'
            cand --interval 'Time between probes, kept on a fixed schedule: seconds, or with a unit (200ms, 1.5s); below 0.2 s needs root'
            cand -W 'How long to wait for replies after the last probe: seconds, or with a unit (500ms) [default: twice the slowest reply, or 10 s when none came]. In a sweep, how long each address is waited for [default: 1 s]: on the link an address whose ARP (or neighbour discovery) is unanswered by then is down, though the kernel itself gives up only after about 3 s; a shorter wait (-W 300ms) is faster on a quick lab link'
            cand --timeout 'How long to wait for replies after the last probe: seconds, or with a unit (500ms) [default: twice the slowest reply, or 10 s when none came]. In a sweep, how long each address is waited for [default: 1 s]: on the link an address whose ARP (or neighbour discovery) is unanswered by then is down, though the kernel itself gives up only after about 3 s; a shorter wait (-W 300ms) is faster on a quick lab link'
            cand -w 'Stop after this long, however many probes were sent: seconds, or with a unit (2m)'
            cand --deadline 'Stop after this long, however many probes were sent: seconds, or with a unit (2m)'
            cand -s 'Data bytes per probe: 56 makes a 64-byte ICMP message and an 84-byte IPv4 packet'
            cand --size 'Data bytes per probe: 56 makes a 64-byte ICMP message and an 84-byte IPv4 packet'
            cand -t 'Time to live (IPv4) or hop limit (IPv6) of the probes'
            cand --ttl 'Time to live (IPv4) or hop limit (IPv6) of the probes'
            cand --tcp 'Time a TCP connect to PORT instead of an ICMP echo (SYN/ACK and RST both mean up)'
            cand --socket 'Which ICMP socket to use'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand -4 'Resolve names to IPv4 only'
            cand -6 'Resolve names to IPv6 only'
            cand -q 'Quiet: print only the header lines and the statistics'
            cand --quiet 'Quiet: print only the header lines and the statistics'
            cand -D 'Print a Unix timestamp before each line'
            cand -O 'Report "no answer yet" for a probe still unanswered when the next is sent'
            cand -a 'Sweep, and print only the addresses that answered, one a line, for scripts (fping -a)'
            cand --alive 'Sweep, and print only the addresses that answered, one a line, for scripts (fping -a)'
            cand --json 'JSON lines on stdout: each reply and error as it comes ({"event": "reply", ...}), then a summary per host ({"event": "summary", ...}); a sweep: one line per address ({"event": "host", "state": "up", "reason": ...}), then {"event": "sweep_summary", ...}'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;trace'= {
            cand -m 'Most hops to try'
            cand --max-hops 'Most hops to try'
            cand -q 'Probes per hop'
            cand --queries 'Probes per hop'
            cand -w 'How long to wait for each probe''s answer: seconds, or with a unit (500ms)'
            cand --wait 'How long to wait for each probe''s answer: seconds, or with a unit (500ms)'
            cand --tcp 'TCP SYN probes to PORT, by nonblocking connects (through firewalls that allow it)'
            cand -p 'The first UDP destination port (one more per probe, as traceroute does)'
            cand --port 'The first UDP destination port (one more per probe, as traceroute does)'
            cand --rounds 'Probe every hop once a round, N rounds, then the report with mtr''s columns and a verdict (where loss starts, which routers only limit their replies); 0: until Ctrl-C or SIGTERM, which end with the report. Exit 0 when the destination answered every probe, 1 when some went unanswered or it never answered'
            cand -i 'Time between rounds (with --rounds): seconds, or with a unit (200ms); below 0.2 s only for root'
            cand --interval 'Time between rounds (with --rounds): seconds, or with a unit (200ms); below 0.2 s only for root'
            cand --flow 'With --rounds: `round` changes the flow (the probes'' destination port) every round so every equal-cost path shows with its share; `fixed` keeps one for the whole run, to follow one path (UDP and ICMP; each TCP connect has a source port of its own)'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --udp 'UDP probes (the default): a router answers with time exceeded, the destination with port unreachable; no privilege needed'
            cand --icmp 'ICMP echo probes (a raw socket where permitted, else the datagram kind)'
            cand -n 'No reverse lookups of the hops'' names'
            cand -4 'Resolve the host to IPv4 only'
            cand -6 'Resolve the host to IPv6 only'
            cand --json 'JSON on stdout when done: {target, address, protocol, hops: [{ttl, probes, classification}], reached}; with --rounds: {target, protocol, start, end, rounds, hops: [{ttl, responders, sent, received, loss_percent, last_ms, avg_ms, best_ms, worst_ms, stdev_ms, classification}], verdict: [{finding, hops, text}]}'
            cand --jitter 'With --rounds: a JTTR column, the mean difference between a hop''s consecutive RTTs'
            cand --stream 'With --rounds: one line per hop per round as each probe is over, with its ISO 8601 time (UTC), instead of the live table (JSON lines with --json), then the report'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;check'= {
            cand -w 'How long to wait for each answer: seconds, or with a unit (500ms)'
            cand --wait 'How long to wait for each answer: seconds, or with a unit (500ms)'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --json 'JSON on stdout: {host, steps: [{step, name, status, ms, detail, meaning}], passed}'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;echo'= {
            cand --bind 'Listen on this address only (repeatable; default: every IPv4 and IPv6 address)'
            cand --backlog 'The TCP accept queue: listen(N), the clients the kernel holds until they are accepted'
            cand --mode 'What to answer'
            cand --framed 'TCP messages are framed both ways: a length header, then the payload. HEADER is be32 (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs'' struct.pack(''i'', n)), be16 or le16'
            cand --framed-in 'Only what this side reads is framed; what it writes goes as it is. The lessons'' remote-command server reads a bare command and answers struct.pack(''i'', len) + the output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object (the file server''s header) is shown as JSON, and its size field (file_size, total_size, filesize, size, length, data_size) says how many bare bytes follow: send reads them as the body and shows their size and md5 (compared with the header''s md5 field) or sha256, never the bytes'
            cand --framed-out 'Only what this side writes is framed; what it reads is taken as it comes. For the lessons'' clients that send a bare command and read a struct.pack(''i'') header and the answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)'
            cand --max-frame 'The longest frame accepted, and the longest body a JSON header may announce; a larger (or negative) header closes the connection'
            cand --recv-size 'Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is cut to N (and the log says so), a TCP message comes in reads of at most N'
            cand --max-clients 'Most TCP clients at once; more are refused with a log line'
            cand --idle-timeout 'How long a TCP client may stay silent, or stop reading, before it is dropped: seconds, or with a unit (90s, 5m)'
            cand --max-rate 'Most datagrams per second answered for one source address (0: no limit)'
            cand --encoding 'Text encoding of messages: what arrives is shown decoded in it, what is typed is sent in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1, ... When a peer''s bytes read as text only in another of utf-8, gbk, big5, shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer. gbk is WHATWG''s: it reads 0x80 as € and GB18030''s four-byte codes, which Python''s gbk codec rejects'
            cand --show 'How arriving messages are shown, apart from how typed ones are written: `--show hex` types text and shows what arrives as a hex dump; `--hex --show text` types hex digits and shows text [default: hex with --hex, else text]'
            cand --save 'Append every received byte (each TCP read or frame, each datagram) to FILE, a regular file (created when missing)'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --tcp 'TCP only (default: TCP and UDP on the same port number)'
            cand --udp 'UDP only (default: TCP and UDP on the same port number)'
            cand --hex 'Show every message as a hex dump (offset, bytes, text, like xxd); messages given on the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \x48\x65'
            cand --timestamps 'Put the wall-clock time (local, with milliseconds) before each log line: [14:31:12.345]; in JSON, "time": "2026-12-03T14:31:12.345+08:00". The zone is TZ''s, else /etc/localtime''s, read at the start'
            cand -q 'Print only the start and the summary'
            cand --quiet 'Print only the start and the summary'
            cand --json 'Events as JSON lines: listening, connected ("client": its number), message, datagram (with "hex" and "text"), relayed (relay and chat: "to", the peers it went to), dropped, disconnected ("reads", or "messages" with --framed or --framed-in), not_saved (--save), summary; with --timestamps each has a "time"'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;listen'= {
            cand --bind 'Listen on this address only (repeatable; default: every IPv4 and IPv6 address)'
            cand --backlog 'The TCP accept queue: listen(N), the clients the kernel holds until they are accepted'
            cand --reply 'Answer messages (in --encoding, or hex digits with --hex). TEXT alone answers every message; REQUEST=REPLY (repeatable) answers a message that is REQUEST (a line ending after it is ignored) with REPLY, the first rule that matches wins, and TEXT alone answers the rest. A * in REQUEST matches any bytes (\* a star, \= an equals sign). A fake drone: --reply command=ok --reply ''speed?=100.0'' --reply ''battery*=87'' --reply error'
            cand --framed 'TCP messages are framed both ways: a length header, then the payload. HEADER is be32 (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs'' struct.pack(''i'', n)), be16 or le16'
            cand --framed-in 'Only what this side reads is framed; what it writes goes as it is. The lessons'' remote-command server reads a bare command and answers struct.pack(''i'', len) + the output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object (the file server''s header) is shown as JSON, and its size field (file_size, total_size, filesize, size, length, data_size) says how many bare bytes follow: send reads them as the body and shows their size and md5 (compared with the header''s md5 field) or sha256, never the bytes'
            cand --framed-out 'Only what this side writes is framed; what it reads is taken as it comes. For the lessons'' clients that send a bare command and read a struct.pack(''i'') header and the answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)'
            cand --max-frame 'The longest frame accepted, and the longest body a JSON header may announce; a larger (or negative) header closes the connection'
            cand --recv-size 'Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is cut to N (and the log says so), a TCP message comes in reads of at most N'
            cand --join 'Receive the datagrams of this multicast group (repeatable; IPv4 or IPv6)'
            cand --iface 'The interface to join groups on (default: the one the routing table picks)'
            cand --max-clients 'Most TCP clients at once; more are refused with a log line'
            cand --stall-timeout 'How long a TCP client may stop reading what is sent to it before it is dropped: seconds, or with a unit (30s)'
            cand --encoding 'Text encoding of messages: what arrives is shown decoded in it, what is typed is sent in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1, ... When a peer''s bytes read as text only in another of utf-8, gbk, big5, shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer. gbk is WHATWG''s: it reads 0x80 as € and GB18030''s four-byte codes, which Python''s gbk codec rejects'
            cand --show 'How arriving messages are shown, apart from how typed ones are written: `--show hex` types text and shows what arrives as a hex dump; `--hex --show text` types hex digits and shows text [default: hex with --hex, else text]'
            cand --save 'Append every received byte (each TCP read or frame, each datagram) to FILE, a regular file (created when missing)'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --tcp 'TCP only (default: TCP and UDP on the same port number)'
            cand --udp 'UDP only (default: TCP and UDP on the same port number)'
            cand --once 'End when the first TCP client disconnects'
            cand --serial 'Serve one TCP client at a time, to its end, before accepting the next (the hand-outs'' accept loop): later clients wait in the kernel''s accept queue (--backlog). When the queue is full, Linux drops the SYN and the client retries, so it waits and may time out (net.ipv4.tcp_abort_on_overflow=1 makes it a reset); "the 7th client gets an error" in the hand-outs is what Windows does'
            cand --hex 'Show every message as a hex dump (offset, bytes, text, like xxd); messages given on the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \x48\x65'
            cand --timestamps 'Put the wall-clock time (local, with milliseconds) before each log line: [14:31:12.345]; in JSON, "time": "2026-12-03T14:31:12.345+08:00". The zone is TZ''s, else /etc/localtime''s, read at the start'
            cand -q 'Print only the start, what is sent, and the summary'
            cand --quiet 'Print only the start, what is sent, and the summary'
            cand --json 'Events as JSON lines: echo''s (listening, connected, message, datagram, dropped, disconnected, not_saved, summary) plus sent and not_sent'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;send'= {
            cand --bind 'Send from this local address and/or port: ADDR:PORT, :PORT or ADDR (as nc -s/-p)'
            cand --ttl 'Time to live of what is sent (IPv4 TTL or IPv6 hop limit) [default: 1 to a multicast group, the system''s otherwise]'
            cand --framed 'TCP messages are framed both ways: a length header, then the payload. HEADER is be32 (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs'' struct.pack(''i'', n)), be16 or le16'
            cand --framed-in 'Only what this side reads is framed; what it writes goes as it is. The lessons'' remote-command server reads a bare command and answers struct.pack(''i'', len) + the output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object (the file server''s header) is shown as JSON, and its size field (file_size, total_size, filesize, size, length, data_size) says how many bare bytes follow: send reads them as the body and shows their size and md5 (compared with the header''s md5 field) or sha256, never the bytes'
            cand --framed-out 'Only what this side writes is framed; what it reads is taken as it comes. For the lessons'' clients that send a bare command and read a struct.pack(''i'') header and the answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)'
            cand --max-frame 'The longest frame accepted, and the longest body a JSON header may announce; a larger (or negative) header closes the connection'
            cand --recv-size 'Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is cut to N (and the log says so), a TCP message comes in reads of at most N'
            cand --timeout 'How long to wait for each reply (and for the connection): seconds, or with a unit (500ms). Interactive mode: how long a typed line waits for its first answer'
            cand --save-body 'With --framed-in (or --framed): write each body a JSON header announces to FILE, as it is hashed (FILE is emptied at the start; the bodies of several MESSAGEs follow one another)'
            cand --file 'Send this file''s bytes and check that the echo is identical (TCP streams it; UDP and --framed send it in pieces of --size bytes)'
            cand --count 'With MESSAGEs: send them N times (0: until Ctrl-C), each reply printed. Without: measure the path with N generated messages of --size bytes, each checked byte for byte, then loss, reordering and RTT statistics'
            cand --size 'Bytes per message with --count (at least 8: the sequence number), or per piece with --file'
            cand --interval 'Time between messages with --count (UDP keeps them in flight on this schedule): seconds, or with a unit (10ms) [default: 1 s when repeating MESSAGEs, 0.01 s for generated messages]'
            cand --encoding 'Text encoding of messages: what arrives is shown decoded in it, what is typed is sent in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1, ... When a peer''s bytes read as text only in another of utf-8, gbk, big5, shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer. gbk is WHATWG''s: it reads 0x80 as € and GB18030''s four-byte codes, which Python''s gbk codec rejects'
            cand --show 'How arriving messages are shown, apart from how typed ones are written: `--show hex` types text and shows what arrives as a hex dump; `--hex --show text` types hex digits and shows text [default: hex with --hex, else text]'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --broadcast 'Allow sending to a broadcast address (SO_BROADCAST)'
            cand --udp 'Send UDP datagrams (default: TCP)'
            cand --burst 'TCP: write every MESSAGE back to back before reading any reply (Nagle''s algorithm on, as plain send() calls have it), then show what came back and in how many reads'
            cand --expect-reply 'Exit 1 when a message gets no reply within --timeout. Without it a message that went out and drew no error is a success, reply or not: a program may take data and never answer (a UDP receiver, a server that closes on "exit"). The measure mode (--count without MESSAGEs) always expects replies'
            cand --hex 'Show every message as a hex dump (offset, bytes, text, like xxd); messages given on the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \x48\x65'
            cand --json 'JSON lines: one object per exchange (interactive mode: "local" first, then "sent" per line and one object per arrival, with "time", "hex" and "text", and "after_line" and "rtt_ms" when it came while a line waited), then a summary object'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;scan'= {
            cand -p 'Ports: 22,80,8000-8100,https, or the words well-known (1-1023), registered (1024-49151), dynamic (1024-65535: the hand-outs'' meaning, every port above the well-known ones), ephemeral (49152-65535: what IANA calls dynamic), all (1-65535)'
            cand --ports 'Ports: 22,80,8000-8100,https, or the words well-known (1-1023), registered (1024-49151), dynamic (1024-65535: the hand-outs'' meaning, every port above the well-known ones), ephemeral (49152-65535: what IANA calls dynamic), all (1-65535)'
            cand --timeout 'Longest wait for an answer: milliseconds (as nmap takes them), or with a unit (2s); the wait adapts to the RTTs seen, below this'
            cand --concurrency 'Most probes in flight (default: as many as the file-descriptor limit allows, up to 4096)'
            cand -P 'Skip host discovery, as nmap''s -Pn: scan the ports of every address, found down or not (where no machine answered on the link, or a router said unreachable, a down address''s ports are "unreachable", with the reason; after routed silence they stay "filtered": a firewall that drops everything looks the same)'
            cand --host-wait 'Host discovery''s wait for each address (more than one address is scanned): seconds, or with a unit (500ms). The kernel''s own ARP gives up only after about 3 s; an address still unresolved after this wait is down'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --udp 'UDP scan: a probe per port (a real request for DNS, NTP, SNMP; else empty); slow, see below'
            cand --syn 'Half-open TCP SYN scan with raw packets (needs root or CAP_NET_RAW; Linux)'
            cand --open 'List only ports that are open or may be (open|filtered), as nmap''s --open; the closing counts still count every port'
            cand -v 'List the addresses found down too, each with why'
            cand --verbose 'List the addresses found down too, each with why'
            cand --json 'JSON on stdout: {"scans": [...]} with every port that is not closed (with --open: those open or open|filtered); for several addresses each address as it is done, with its "state" (up or down), "reason" and "reason_text", then a "summary"'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;port'= {
            cand --services-file 'Services database to read, in services(5) format [default: /etc/services, or the built-in table where it is missing]'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --listening 'List every listening TCP port and bound UDP port of this machine: the process (pid, program), the address (every interface, loopback only, or one), and what the port means (as ss -lntup, in netkit''s words)'
            cand --builtin 'Use only netkit''s built-in table of common IANA service names'
            cand --json 'JSON on stdout: one object per port (JSON lines)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;watch'= {
            cand -i 'The interface to capture on (a veth of a lab namespace, eth0, any)'
            cand --iface 'The interface to capture on (a veth of a lab namespace, eth0, any)'
            cand -c 'Stop after N packets shown'
            cand --count 'Stop after N packets shown'
            cand --duration 'Stop after this long (seconds, or with a unit: 500ms, 2m); else Ctrl-C ends it'
            cand -w 'Also write every captured packet to FILE as a pcap file that tcpdump -r and Wireshark read (kernel timestamps in nanoseconds, whole packets)'
            cand --pcap 'Also write every captured packet to FILE as a pcap file that tcpdump -r and Wireshark read (kernel timestamps in nanoseconds, whole packets)'
            cand --encoding 'Text encoding payloads are shown in (WHATWG labels: utf-8, gbk, big5, shift_jis, ...)'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand -q 'Only the summary at the end, no line per packet (with --pcap: record now, read later)'
            cand --quiet 'Only the summary at the end, no line per packet (with --pcap: record now, read later)'
            cand -l 'Write each packet out as it is shown, also into a pipe or file (as tcpdump -l); on a terminal that is always so'
            cand --line-buffered 'Write each packet out as it is shown, also into a pipe or file (as tcpdump -l); on a terminal that is always so'
            cand --hex 'Show payloads as hex dumps (offset, bytes, text, like xxd)'
            cand --json 'One JSON object per packet, then the summary'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;generate'= {
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;help'= {
            cand classify 'Say what an address is: class A-E, private or public, special-purpose ranges, binary form, and subnet math for CIDR input'
            cand subnet 'Plan networks: split a block (--split N, --prefix LEN), VLSM by host counts (--hosts), a range as CIDR blocks, --aggregate a list, same subnet? (--mask), --contains'
            cand ifaces 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
            cand ping 'Send ICMP echo requests (or timed TCP connects) to hosts, with iputils'' output and statistics; several hosts are pinged at once'
            cand trace 'The path to a host, hop by hop, each hop classified: UDP probes (unprivileged), --icmp or --tcp PORT, many hops in flight at once'
            cand check 'Is my network OK? The ladder: loopback, this machine''s address, the gateway, name resolution, then HOST; each step with its result, its time and what a failure means'
            cand echo 'Open a UDP and/or TCP echo endpoint to test socket code against (echo, upper-case, relay between clients, length-framed messages)'
            cand listen 'A server you answer by hand: shows each connection and message, and sends each line typed on stdin to the clients (TCP) or to the last peer (UDP)'
            cand send 'Send messages to a UDP or TCP server and print each reply with its round-trip time'
            cand scan 'Scan ports of hosts: TCP connects (no privilege needed), --syn half-open scans or --udp probes; which ports are open, closed or filtered, and why'
            cand port 'Say what a port number means: IANA range (well-known, registered, dynamic) and service names'
            cand watch 'Capture the packets of given ports (on lo, or --iface) and say what each one means: the handshake, data, the close, resets, SYNs sent again, a full window; a summary at the end'
            cand generate 'Write shell completions into completions/ and man pages into man/ under DIR'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'netkit;help;classify'= {
        }
        &'netkit;help;subnet'= {
        }
        &'netkit;help;ifaces'= {
        }
        &'netkit;help;ping'= {
        }
        &'netkit;help;trace'= {
        }
        &'netkit;help;check'= {
        }
        &'netkit;help;echo'= {
        }
        &'netkit;help;listen'= {
        }
        &'netkit;help;send'= {
        }
        &'netkit;help;scan'= {
        }
        &'netkit;help;port'= {
        }
        &'netkit;help;watch'= {
        }
        &'netkit;help;generate'= {
        }
        &'netkit;help;help'= {
        }
    ]
    $completions[$command]
}
