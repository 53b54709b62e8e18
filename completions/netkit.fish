# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_netkit_global_optspecs
    string join \n color= h/help V/version
end

function __fish_netkit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_netkit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_netkit_using_subcommand
    set -l cmd (__fish_netkit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c netkit -n "__fish_netkit_needs_command" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_needs_command" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "classify" -d 'Say what an address is: class A-E, private or public, special-purpose ranges, binary form, and subnet math for CIDR input'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "subnet" -d 'Plan networks: split a block (--split N, --prefix LEN), VLSM by host counts (--hosts), a range as CIDR blocks, --aggregate a list, same subnet? (--mask), --contains'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "ifaces" -d 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "ifconfig" -d 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "ipconfig" -d 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "ping" -d 'Send ICMP echo requests (or timed TCP connects) to hosts, with iputils\' output and statistics; several hosts are pinged at once'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "trace" -d 'The path to a host, hop by hop, each hop classified: UDP probes (unprivileged), --icmp or --tcp PORT, many hops in flight at once'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "check" -d 'Is my network OK? The ladder: loopback, this machine\'s address, the gateway, name resolution, then HOST; each step with its result, its time and what a failure means'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "echo" -d 'Open a UDP and/or TCP echo endpoint to test socket code against (echo, upper-case, relay between clients, length-framed messages)'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "listen" -d 'A server you answer by hand: shows each connection and message, and sends each line typed on stdin to the clients (TCP) or to the last peer (UDP)'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "send" -d 'Send messages to a UDP or TCP server and print each reply with its round-trip time'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "scan" -d 'Scan ports of hosts: TCP connects (no privilege needed), --syn half-open scans or --udp probes; which ports are open, closed or filtered, and why'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "port" -d 'Say what a port number means: IANA range (well-known, registered, dynamic) and service names'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "watch" -d 'Capture the packets of given ports (on lo, or --iface) and say what each one means: the handshake, data, the close, resets, SYNs sent again, a full window; a summary at the end'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "generate" -d 'Write shell completions into completions/ and man pages into man/ under DIR'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c netkit -n "__fish_netkit_using_subcommand classify" -s f -l file -d 'Read addresses from a file, one per line (blank lines and # comments are skipped)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand classify" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand classify" -s e -l explain -d 'Teaching view: the binary form with class bits and the network/host split marked, and one sentence for each range the address is in'
complete -c netkit -n "__fish_netkit_using_subcommand classify" -s b -l brief -d 'One line per address, also for addresses given as arguments (streams always are)'
complete -c netkit -n "__fish_netkit_using_subcommand classify" -l classes -d 'Print the classful table: classes A-E, leading bits, ranges, masks, networks, hosts'
complete -c netkit -n "__fish_netkit_using_subcommand classify" -l registry -d 'Print the IANA special-purpose and multicast blocks netkit knows, with the snapshot date'
complete -c netkit -n "__fish_netkit_using_subcommand classify" -l json -d 'JSON on stdout: one object per input (JSON lines); a bad input becomes {"input": ..., "error": ...} in its place'
complete -c netkit -n "__fish_netkit_using_subcommand classify" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand classify" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -l split -d 'Split the block into N equal subnets (rounded up to a power of two, and said so)' -r
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -l prefix -d 'Split the block into every subnet of this prefix length' -r
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -l hosts -d 'VLSM: a subnet for each host count, the largest first, each the smallest that holds it' -r
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -l mask -d 'Are the two addresses on the same subnet under this mask (255.255.255.128, /25 or 25)? Exit 0 when they are, 1 when not' -r
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -l contains -d 'Which of these addresses or blocks lie inside the block? Exit 0 when all do, 1 when not' -r
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -l limit -d 'Most rows an IPv6 split lists before it only counts the rest (0: no limit)' -r
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -l aggregate -d 'The shortest list of blocks covering the same addresses (adjacent and contained ones merged; IPv4 and IPv6 each on their own)'
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -s e -l explain -d 'The binary view: which bits are borrowed for the subnet number, and what they give'
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -l json -d 'JSON: one document for a VLSM plan, a same-subnet answer or --contains; JSON lines for a split, a range and --aggregate: a line per block ({"subnet": ...}), then a {"summary": ...} line. A count past 2^64 - 1 is a decimal string (an IPv6 block\'s addresses and usable_hosts always are)'
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand subnet" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand ifaces" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand ifaces" -s a -l all -d 'Also show interfaces that are down'
complete -c netkit -n "__fish_netkit_using_subcommand ifaces" -s 4 -d 'IPv4 addresses only (and only interfaces that have one)'
complete -c netkit -n "__fish_netkit_using_subcommand ifaces" -s 6 -d 'IPv6 addresses only (and only interfaces that have one)'
complete -c netkit -n "__fish_netkit_using_subcommand ifaces" -s l -l long -d 'ifconfig-style blocks with traffic counters instead of the table'
complete -c netkit -n "__fish_netkit_using_subcommand ifaces" -l json -d 'JSON on stdout: {"interfaces": [...], "default_routes": [...]}'
complete -c netkit -n "__fish_netkit_using_subcommand ifaces" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand ifaces" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand ifconfig" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand ifconfig" -s a -l all -d 'Also show interfaces that are down'
complete -c netkit -n "__fish_netkit_using_subcommand ifconfig" -s 4 -d 'IPv4 addresses only (and only interfaces that have one)'
complete -c netkit -n "__fish_netkit_using_subcommand ifconfig" -s 6 -d 'IPv6 addresses only (and only interfaces that have one)'
complete -c netkit -n "__fish_netkit_using_subcommand ifconfig" -s l -l long -d 'ifconfig-style blocks with traffic counters instead of the table'
complete -c netkit -n "__fish_netkit_using_subcommand ifconfig" -l json -d 'JSON on stdout: {"interfaces": [...], "default_routes": [...]}'
complete -c netkit -n "__fish_netkit_using_subcommand ifconfig" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand ifconfig" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand ipconfig" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand ipconfig" -s a -l all -d 'Also show interfaces that are down'
complete -c netkit -n "__fish_netkit_using_subcommand ipconfig" -s 4 -d 'IPv4 addresses only (and only interfaces that have one)'
complete -c netkit -n "__fish_netkit_using_subcommand ipconfig" -s 6 -d 'IPv6 addresses only (and only interfaces that have one)'
complete -c netkit -n "__fish_netkit_using_subcommand ipconfig" -s l -l long -d 'ifconfig-style blocks with traffic counters instead of the table'
complete -c netkit -n "__fish_netkit_using_subcommand ipconfig" -l json -d 'JSON on stdout: {"interfaces": [...], "default_routes": [...]}'
complete -c netkit -n "__fish_netkit_using_subcommand ipconfig" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand ipconfig" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s c -l count -d 'Stop after COUNT probes (default: until Ctrl-C; in a sweep 1: each address is asked at most COUNT times, until it answers)' -r
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s i -l interval -d 'Time between probes, kept on a fixed schedule: seconds, or with a unit (200ms, 1.5s); below 0.2 s needs root' -r
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s W -l timeout -d 'How long to wait for replies after the last probe: seconds, or with a unit (500ms) [default: twice the slowest reply, or 10 s when none came]. In a sweep, how long each address is waited for [default: 1 s]: on the link an address whose ARP (or neighbour discovery) is unanswered by then is down, though the kernel itself gives up only after about 3 s; a shorter wait (-W 300ms) is faster on a quick lab link' -r
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s w -l deadline -d 'Stop after this long, however many probes were sent: seconds, or with a unit (2m)' -r
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s s -l size -d 'Data bytes per probe: 56 makes a 64-byte ICMP message and an 84-byte IPv4 packet' -r
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s t -l ttl -d 'Time to live (IPv4) or hop limit (IPv6) of the probes' -r
complete -c netkit -n "__fish_netkit_using_subcommand ping" -l tcp -d 'Time a TCP connect to PORT instead of an ICMP echo (SYN/ACK and RST both mean up)' -r
complete -c netkit -n "__fish_netkit_using_subcommand ping" -l socket -d 'Which ICMP socket to use' -r -f -a "auto\t'Raw if permitted (TTL, duplicates, ICMP errors), else the datagram kind'
raw\t'Raw socket only (root or CAP_NET_RAW)'
dgram\t'Unprivileged datagram socket only (where net.ipv4.ping_group_range allows)'"
complete -c netkit -n "__fish_netkit_using_subcommand ping" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s 4 -d 'Resolve names to IPv4 only'
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s 6 -d 'Resolve names to IPv6 only'
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s q -l quiet -d 'Quiet: print only the header lines and the statistics'
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s D -d 'Print a Unix timestamp before each line'
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s O -d 'Report "no answer yet" for a probe still unanswered when the next is sent'
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s a -l alive -d 'Sweep, and print only the addresses that answered, one a line, for scripts (fping -a)'
complete -c netkit -n "__fish_netkit_using_subcommand ping" -l json -d 'JSON lines on stdout: each reply and error as it comes ({"event": "reply", ...}), then a summary per host ({"event": "summary", ...}); a sweep: one line per address ({"event": "host", "state": "up", "reason": ...}), then {"event": "sweep_summary", ...}'
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand ping" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s m -l max-hops -d 'Most hops to try' -r
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s q -l queries -d 'Probes per hop' -r
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s w -l wait -d 'How long to wait for each probe\'s answer: seconds, or with a unit (500ms)' -r
complete -c netkit -n "__fish_netkit_using_subcommand trace" -l tcp -d 'TCP SYN probes to PORT, by nonblocking connects (through firewalls that allow it)' -r
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s p -l port -d 'The first UDP destination port (one more per probe, as traceroute does)' -r
complete -c netkit -n "__fish_netkit_using_subcommand trace" -l rounds -d 'Probe every hop once a round, N rounds, then the report with mtr\'s columns and a verdict (where loss starts, which routers only limit their replies); 0: until Ctrl-C or SIGTERM, which end with the report. Exit 0 when the destination answered every probe, 1 when some went unanswered or it never answered' -r
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s i -l interval -d 'Time between rounds (with --rounds): seconds, or with a unit (200ms); below 0.2 s only for root' -r
complete -c netkit -n "__fish_netkit_using_subcommand trace" -l flow -d 'With --rounds: `round` changes the flow (the probes\' destination port) every round so every equal-cost path shows with its share; `fixed` keeps one for the whole run, to follow one path (UDP and ICMP; each TCP connect has a source port of its own)' -r -f -a "round\t'A new flow each round, the same for every hop within it'
fixed\t'One flow for the whole run'"
complete -c netkit -n "__fish_netkit_using_subcommand trace" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand trace" -l udp -d 'UDP probes (the default): a router answers with time exceeded, the destination with port unreachable; no privilege needed'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -l icmp -d 'ICMP echo probes (a raw socket where permitted, else the datagram kind)'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s n -d 'No reverse lookups of the hops\' names'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s 4 -d 'Resolve the host to IPv4 only'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s 6 -d 'Resolve the host to IPv6 only'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -l json -d 'JSON on stdout when done: {target, address, protocol, hops: [{ttl, probes, classification}], reached}; with --rounds: {target, protocol, start, end, rounds, hops: [{ttl, responders, sent, received, loss_percent, last_ms, avg_ms, best_ms, worst_ms, stdev_ms, classification}], verdict: [{finding, hops, text}]}'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -l jitter -d 'With --rounds: a JTTR column, the mean difference between a hop\'s consecutive RTTs'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -l stream -d 'With --rounds: one line per hop per round as each probe is over, with its ISO 8601 time (UTC), instead of the live table (JSON lines with --json), then the report'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand trace" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand check" -s w -l wait -d 'How long to wait for each answer: seconds, or with a unit (500ms)' -r
complete -c netkit -n "__fish_netkit_using_subcommand check" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand check" -l json -d 'JSON on stdout: {host, steps: [{step, name, status, ms, detail, meaning}], passed}'
complete -c netkit -n "__fish_netkit_using_subcommand check" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand check" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l bind -d 'Listen on this address only (repeatable; default: every IPv4 and IPv6 address)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l backlog -d 'The TCP accept queue: listen(N), the clients the kernel holds until they are accepted' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l mode -d 'What to answer' -r -f -a "echo\t'Return the bytes unchanged'
upper\t'Return them with ASCII letters in upper case (other bytes unchanged)'
relay\t'Forward each message to every other client (TCP) or recent peer (UDP): the sender does not get its own message back'
chat\t'A chat room that includes the sender: each message goes to every client (TCP) or recent peer (UDP), the sender too, as the lessons\' UDP chat server does (its client waits for its own message after each send)'"
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l framed -d 'TCP messages are framed both ways: a length header, then the payload. HEADER is be32 (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs\' struct.pack(\'i\', n)), be16 or le16' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l framed-in -d 'Only what this side reads is framed; what it writes goes as it is. The lessons\' remote-command server reads a bare command and answers struct.pack(\'i\', len) + the output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object (the file server\'s header) is shown as JSON, and its size field (file_size, total_size, filesize, size, length, data_size) says how many bare bytes follow: send reads them as the body and shows their size and md5 (compared with the header\'s md5 field) or sha256, never the bytes' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l framed-out -d 'Only what this side writes is framed; what it reads is taken as it comes. For the lessons\' clients that send a bare command and read a struct.pack(\'i\') header and the answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l max-frame -d 'The longest frame accepted, and the longest body a JSON header may announce; a larger (or negative) header closes the connection' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l recv-size -d 'Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is cut to N (and the log says so), a TCP message comes in reads of at most N' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l max-clients -d 'Most TCP clients at once; more are refused with a log line' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l idle-timeout -d 'How long a TCP client may stay silent, or stop reading, before it is dropped: seconds, or with a unit (90s, 5m)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l max-rate -d 'Most datagrams per second answered for one source address (0: no limit)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l encoding -d 'Text encoding of messages: what arrives is shown decoded in it, what is typed is sent in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1, ... When a peer\'s bytes read as text only in another of utf-8, gbk, big5, shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer. gbk is WHATWG\'s: it reads 0x80 as € and GB18030\'s four-byte codes, which Python\'s gbk codec rejects' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l show -d 'How arriving messages are shown, apart from how typed ones are written: `--show hex` types text and shows what arrives as a hex dump; `--hex --show text` types hex digits and shows text [default: hex with --hex, else text]' -r -f -a "text\t'Text in --encoding (hex where bytes do not decode)'
hex\t'A hex dump (offset, bytes, text, like xxd)'"
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l save -d 'Append every received byte (each TCP read or frame, each datagram) to FILE, a regular file (created when missing)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l tcp -d 'TCP only (default: TCP and UDP on the same port number)'
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l udp -d 'UDP only (default: TCP and UDP on the same port number)'
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l hex -d 'Show every message as a hex dump (offset, bytes, text, like xxd); messages given on the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \\x48\\x65'
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l timestamps -d 'Put the wall-clock time (local, with milliseconds) before each log line: [14:31:12.345]; in JSON, "time": "2026-12-03T14:31:12.345+08:00". The zone is TZ\'s, else /etc/localtime\'s, read at the start'
complete -c netkit -n "__fish_netkit_using_subcommand echo" -s q -l quiet -d 'Print only the start and the summary'
complete -c netkit -n "__fish_netkit_using_subcommand echo" -l json -d 'Events as JSON lines: listening, connected ("client": its number), message, datagram (with "hex" and "text"), relayed (relay and chat: "to", the peers it went to), dropped, disconnected ("reads", or "messages" with --framed or --framed-in), not_saved (--save), summary; with --timestamps each has a "time"'
complete -c netkit -n "__fish_netkit_using_subcommand echo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand echo" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l bind -d 'Listen on this address only (repeatable; default: every IPv4 and IPv6 address)' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l backlog -d 'The TCP accept queue: listen(N), the clients the kernel holds until they are accepted' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l reply -d 'Answer messages (in --encoding, or hex digits with --hex). TEXT alone answers every message; REQUEST=REPLY (repeatable) answers a message that is REQUEST (a line ending after it is ignored) with REPLY, the first rule that matches wins, and TEXT alone answers the rest. A * in REQUEST matches any bytes (\\* a star, \\= an equals sign). A fake drone: --reply command=ok --reply \'speed?=100.0\' --reply \'battery*=87\' --reply error' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l framed -d 'TCP messages are framed both ways: a length header, then the payload. HEADER is be32 (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs\' struct.pack(\'i\', n)), be16 or le16' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l framed-in -d 'Only what this side reads is framed; what it writes goes as it is. The lessons\' remote-command server reads a bare command and answers struct.pack(\'i\', len) + the output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object (the file server\'s header) is shown as JSON, and its size field (file_size, total_size, filesize, size, length, data_size) says how many bare bytes follow: send reads them as the body and shows their size and md5 (compared with the header\'s md5 field) or sha256, never the bytes' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l framed-out -d 'Only what this side writes is framed; what it reads is taken as it comes. For the lessons\' clients that send a bare command and read a struct.pack(\'i\') header and the answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l max-frame -d 'The longest frame accepted, and the longest body a JSON header may announce; a larger (or negative) header closes the connection' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l recv-size -d 'Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is cut to N (and the log says so), a TCP message comes in reads of at most N' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l join -d 'Receive the datagrams of this multicast group (repeatable; IPv4 or IPv6)' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l iface -d 'The interface to join groups on (default: the one the routing table picks)' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l max-clients -d 'Most TCP clients at once; more are refused with a log line' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l stall-timeout -d 'How long a TCP client may stop reading what is sent to it before it is dropped: seconds, or with a unit (30s)' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l encoding -d 'Text encoding of messages: what arrives is shown decoded in it, what is typed is sent in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1, ... When a peer\'s bytes read as text only in another of utf-8, gbk, big5, shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer. gbk is WHATWG\'s: it reads 0x80 as € and GB18030\'s four-byte codes, which Python\'s gbk codec rejects' -r
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l show -d 'How arriving messages are shown, apart from how typed ones are written: `--show hex` types text and shows what arrives as a hex dump; `--hex --show text` types hex digits and shows text [default: hex with --hex, else text]' -r -f -a "text\t'Text in --encoding (hex where bytes do not decode)'
hex\t'A hex dump (offset, bytes, text, like xxd)'"
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l save -d 'Append every received byte (each TCP read or frame, each datagram) to FILE, a regular file (created when missing)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l tcp -d 'TCP only (default: TCP and UDP on the same port number)'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l udp -d 'UDP only (default: TCP and UDP on the same port number)'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l once -d 'End when the first TCP client disconnects'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l serial -d 'Serve one TCP client at a time, to its end, before accepting the next (the hand-outs\' accept loop): later clients wait in the kernel\'s accept queue (--backlog). When the queue is full, Linux drops the SYN and the client retries, so it waits and may time out (net.ipv4.tcp_abort_on_overflow=1 makes it a reset); "the 7th client gets an error" in the hand-outs is what Windows does'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l hex -d 'Show every message as a hex dump (offset, bytes, text, like xxd); messages given on the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \\x48\\x65'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l timestamps -d 'Put the wall-clock time (local, with milliseconds) before each log line: [14:31:12.345]; in JSON, "time": "2026-12-03T14:31:12.345+08:00". The zone is TZ\'s, else /etc/localtime\'s, read at the start'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -s q -l quiet -d 'Print only the start, what is sent, and the summary'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -l json -d 'Events as JSON lines: echo\'s (listening, connected, message, datagram, dropped, disconnected, not_saved, summary) plus sent and not_sent'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand listen" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand send" -l bind -d 'Send from this local address and/or port: ADDR:PORT, :PORT or ADDR (as nc -s/-p)' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l ttl -d 'Time to live of what is sent (IPv4 TTL or IPv6 hop limit) [default: 1 to a multicast group, the system\'s otherwise]' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l framed -d 'TCP messages are framed both ways: a length header, then the payload. HEADER is be32 (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs\' struct.pack(\'i\', n)), be16 or le16' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l framed-in -d 'Only what this side reads is framed; what it writes goes as it is. The lessons\' remote-command server reads a bare command and answers struct.pack(\'i\', len) + the output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object (the file server\'s header) is shown as JSON, and its size field (file_size, total_size, filesize, size, length, data_size) says how many bare bytes follow: send reads them as the body and shows their size and md5 (compared with the header\'s md5 field) or sha256, never the bytes' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l framed-out -d 'Only what this side writes is framed; what it reads is taken as it comes. For the lessons\' clients that send a bare command and read a struct.pack(\'i\') header and the answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l max-frame -d 'The longest frame accepted, and the longest body a JSON header may announce; a larger (or negative) header closes the connection' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l recv-size -d 'Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is cut to N (and the log says so), a TCP message comes in reads of at most N' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l timeout -d 'How long to wait for each reply (and for the connection): seconds, or with a unit (500ms). Interactive mode: how long a typed line waits for its first answer' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l save-body -d 'With --framed-in (or --framed): write each body a JSON header announces to FILE, as it is hashed (FILE is emptied at the start; the bodies of several MESSAGEs follow one another)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand send" -l file -d 'Send this file\'s bytes and check that the echo is identical (TCP streams it; UDP and --framed send it in pieces of --size bytes)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand send" -l count -d 'With MESSAGEs: send them N times (0: until Ctrl-C), each reply printed. Without: measure the path with N generated messages of --size bytes, each checked byte for byte, then loss, reordering and RTT statistics' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l size -d 'Bytes per message with --count (at least 8: the sequence number), or per piece with --file' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l interval -d 'Time between messages with --count (UDP keeps them in flight on this schedule): seconds, or with a unit (10ms) [default: 1 s when repeating MESSAGEs, 0.01 s for generated messages]' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l encoding -d 'Text encoding of messages: what arrives is shown decoded in it, what is typed is sent in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1, ... When a peer\'s bytes read as text only in another of utf-8, gbk, big5, shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer. gbk is WHATWG\'s: it reads 0x80 as € and GB18030\'s four-byte codes, which Python\'s gbk codec rejects' -r
complete -c netkit -n "__fish_netkit_using_subcommand send" -l show -d 'How arriving messages are shown, apart from how typed ones are written: `--show hex` types text and shows what arrives as a hex dump; `--hex --show text` types hex digits and shows text [default: hex with --hex, else text]' -r -f -a "text\t'Text in --encoding (hex where bytes do not decode)'
hex\t'A hex dump (offset, bytes, text, like xxd)'"
complete -c netkit -n "__fish_netkit_using_subcommand send" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand send" -l broadcast -d 'Allow sending to a broadcast address (SO_BROADCAST)'
complete -c netkit -n "__fish_netkit_using_subcommand send" -l udp -d 'Send UDP datagrams (default: TCP)'
complete -c netkit -n "__fish_netkit_using_subcommand send" -l burst -d 'TCP: write every MESSAGE back to back before reading any reply (Nagle\'s algorithm on, as plain send() calls have it), then show what came back and in how many reads'
complete -c netkit -n "__fish_netkit_using_subcommand send" -l expect-reply -d 'Exit 1 when a message gets no reply within --timeout. Without it a message that went out and drew no error is a success, reply or not: a program may take data and never answer (a UDP receiver, a server that closes on "exit"). The measure mode (--count without MESSAGEs) always expects replies'
complete -c netkit -n "__fish_netkit_using_subcommand send" -l hex -d 'Show every message as a hex dump (offset, bytes, text, like xxd); messages given on the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \\x48\\x65'
complete -c netkit -n "__fish_netkit_using_subcommand send" -l json -d 'JSON lines: one object per exchange (interactive mode: "local" first, then "sent" per line and one object per arrival, with "time", "hex" and "text", and "after_line" and "rtt_ms" when it came while a line waited), then a summary object'
complete -c netkit -n "__fish_netkit_using_subcommand send" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand send" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand scan" -s p -l ports -d 'Ports: 22,80,8000-8100,https, or the words well-known (1-1023), registered (1024-49151), dynamic (1024-65535: the hand-outs\' meaning, every port above the well-known ones), ephemeral (49152-65535: what IANA calls dynamic), all (1-65535)' -r
complete -c netkit -n "__fish_netkit_using_subcommand scan" -l timeout -d 'Longest wait for an answer: milliseconds (as nmap takes them), or with a unit (2s); the wait adapts to the RTTs seen, below this' -r
complete -c netkit -n "__fish_netkit_using_subcommand scan" -l concurrency -d 'Most probes in flight (default: as many as the file-descriptor limit allows, up to 4096)' -r
complete -c netkit -n "__fish_netkit_using_subcommand scan" -s P -d 'Skip host discovery, as nmap\'s -Pn: scan the ports of every address, found down or not (where no machine answered on the link, or a router said unreachable, a down address\'s ports are "unreachable", with the reason; after routed silence they stay "filtered": a firewall that drops everything looks the same)' -r -f -a "n\t''"
complete -c netkit -n "__fish_netkit_using_subcommand scan" -l host-wait -d 'Host discovery\'s wait for each address (more than one address is scanned): seconds, or with a unit (500ms). The kernel\'s own ARP gives up only after about 3 s; an address still unresolved after this wait is down' -r
complete -c netkit -n "__fish_netkit_using_subcommand scan" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand scan" -l udp -d 'UDP scan: a probe per port (a real request for DNS, NTP, SNMP; else empty); slow, see below'
complete -c netkit -n "__fish_netkit_using_subcommand scan" -l syn -d 'Half-open TCP SYN scan with raw packets (needs root or CAP_NET_RAW; Linux)'
complete -c netkit -n "__fish_netkit_using_subcommand scan" -l open -d 'List only ports that are open or may be (open|filtered), as nmap\'s --open; the closing counts still count every port'
complete -c netkit -n "__fish_netkit_using_subcommand scan" -s v -l verbose -d 'List the addresses found down too, each with why'
complete -c netkit -n "__fish_netkit_using_subcommand scan" -l json -d 'JSON on stdout: {"scans": [...]} with every port that is not closed (with --open: those open or open|filtered); for several addresses each address as it is done, with its "state" (up or down), "reason" and "reason_text", then a "summary"'
complete -c netkit -n "__fish_netkit_using_subcommand scan" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand scan" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand port" -l services-file -d 'Services database to read, in services(5) format [default: /etc/services, or the built-in table where it is missing]' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand port" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand port" -l listening -d 'List every listening TCP port and bound UDP port of this machine: the process (pid, program), the address (every interface, loopback only, or one), and what the port means (as ss -lntup, in netkit\'s words)'
complete -c netkit -n "__fish_netkit_using_subcommand port" -l builtin -d 'Use only netkit\'s built-in table of common IANA service names'
complete -c netkit -n "__fish_netkit_using_subcommand port" -l json -d 'JSON on stdout: one object per port (JSON lines)'
complete -c netkit -n "__fish_netkit_using_subcommand port" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand port" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand watch" -s i -l iface -d 'The interface to capture on (a veth of a lab namespace, eth0, any)' -r
complete -c netkit -n "__fish_netkit_using_subcommand watch" -s c -l count -d 'Stop after N packets shown' -r
complete -c netkit -n "__fish_netkit_using_subcommand watch" -l duration -d 'Stop after this long (seconds, or with a unit: 500ms, 2m); else Ctrl-C ends it' -r
complete -c netkit -n "__fish_netkit_using_subcommand watch" -s w -l pcap -d 'Also write every captured packet to FILE as a pcap file that tcpdump -r and Wireshark read (kernel timestamps in nanoseconds, whole packets)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand watch" -l encoding -d 'Text encoding payloads are shown in (WHATWG labels: utf-8, gbk, big5, shift_jis, ...)' -r
complete -c netkit -n "__fish_netkit_using_subcommand watch" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand watch" -s q -l quiet -d 'Only the summary at the end, no line per packet (with --pcap: record now, read later)'
complete -c netkit -n "__fish_netkit_using_subcommand watch" -s l -l line-buffered -d 'Write each packet out as it is shown, also into a pipe or file (as tcpdump -l); on a terminal that is always so'
complete -c netkit -n "__fish_netkit_using_subcommand watch" -l hex -d 'Show payloads as hex dumps (offset, bytes, text, like xxd)'
complete -c netkit -n "__fish_netkit_using_subcommand watch" -l json -d 'One JSON object per packet, then the summary'
complete -c netkit -n "__fish_netkit_using_subcommand watch" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand watch" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand generate" -l color -d 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c netkit -n "__fish_netkit_using_subcommand generate" -s h -l help -d 'Print help'
complete -c netkit -n "__fish_netkit_using_subcommand generate" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "classify" -d 'Say what an address is: class A-E, private or public, special-purpose ranges, binary form, and subnet math for CIDR input'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "subnet" -d 'Plan networks: split a block (--split N, --prefix LEN), VLSM by host counts (--hosts), a range as CIDR blocks, --aggregate a list, same subnet? (--mask), --contains'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "ifaces" -d 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "ping" -d 'Send ICMP echo requests (or timed TCP connects) to hosts, with iputils\' output and statistics; several hosts are pinged at once'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "trace" -d 'The path to a host, hop by hop, each hop classified: UDP probes (unprivileged), --icmp or --tcp PORT, many hops in flight at once'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "check" -d 'Is my network OK? The ladder: loopback, this machine\'s address, the gateway, name resolution, then HOST; each step with its result, its time and what a failure means'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "echo" -d 'Open a UDP and/or TCP echo endpoint to test socket code against (echo, upper-case, relay between clients, length-framed messages)'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "listen" -d 'A server you answer by hand: shows each connection and message, and sends each line typed on stdin to the clients (TCP) or to the last peer (UDP)'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "send" -d 'Send messages to a UDP or TCP server and print each reply with its round-trip time'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "scan" -d 'Scan ports of hosts: TCP connects (no privilege needed), --syn half-open scans or --udp probes; which ports are open, closed or filtered, and why'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "port" -d 'Say what a port number means: IANA range (well-known, registered, dynamic) and service names'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "watch" -d 'Capture the packets of given ports (on lo, or --iface) and say what each one means: the handshake, data, the close, resets, SYNs sent again, a full window; a summary at the end'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "generate" -d 'Write shell completions into completions/ and man pages into man/ under DIR'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from classify subnet ifaces ping trace check echo listen send scan port watch generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
