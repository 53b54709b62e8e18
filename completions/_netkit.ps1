
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'netkit' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'netkit'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'netkit' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('classify', 'classify', [CompletionResultType]::ParameterValue, 'Say what an address is: class A-E, private or public, special-purpose ranges, binary form, and subnet math for CIDR input')
            [CompletionResult]::new('subnet', 'subnet', [CompletionResultType]::ParameterValue, 'Plan networks: split a block (--split N, --prefix LEN), VLSM by host counts (--hosts), a range as CIDR blocks, --aggregate a list, same subnet? (--mask), --contains')
            [CompletionResult]::new('ifaces', 'ifaces', [CompletionResultType]::ParameterValue, 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes')
            [CompletionResult]::new('ifconfig', 'ifconfig', [CompletionResultType]::ParameterValue, 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes')
            [CompletionResult]::new('ipconfig', 'ipconfig', [CompletionResultType]::ParameterValue, 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Send ICMP echo requests (or timed TCP connects) to hosts, with iputils'' output and statistics; several hosts are pinged at once')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'The path to a host, hop by hop, each hop classified: UDP probes (unprivileged), --icmp or --tcp PORT, many hops in flight at once')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Is my network OK? The ladder: loopback, this machine''s address, the gateway, name resolution, then HOST; each step with its result, its time and what a failure means')
            [CompletionResult]::new('echo', 'echo', [CompletionResultType]::ParameterValue, 'Open a UDP and/or TCP echo endpoint to test socket code against (echo, upper-case, relay between clients, length-framed messages)')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'A server you answer by hand: shows each connection and message, and sends each line typed on stdin to the clients (TCP) or to the last peer (UDP)')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send messages to a UDP or TCP server and print each reply with its round-trip time')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Scan ports of hosts: TCP connects (no privilege needed), --syn half-open scans or --udp probes; which ports are open, closed or filtered, and why')
            [CompletionResult]::new('port', 'port', [CompletionResultType]::ParameterValue, 'Say what a port number means: IANA range (well-known, registered, dynamic) and service names')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Capture the packets of given ports (on lo, or --iface) and say what each one means: the handshake, data, the close, resets, SYNs sent again, a full window; a summary at the end')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions into completions/ and man pages into man/ under DIR')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'netkit;classify' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read addresses from a file, one per line (blank lines and # comments are skipped)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read addresses from a file, one per line (blank lines and # comments are skipped)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Teaching view: the binary form with class bits and the network/host split marked, and one sentence for each range the address is in')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Teaching view: the binary form with class bits and the network/host split marked, and one sentence for each range the address is in')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'One line per address, also for addresses given as arguments (streams always are)')
            [CompletionResult]::new('--brief', '--brief', [CompletionResultType]::ParameterName, 'One line per address, also for addresses given as arguments (streams always are)')
            [CompletionResult]::new('--classes', '--classes', [CompletionResultType]::ParameterName, 'Print the classful table: classes A-E, leading bits, ranges, masks, networks, hosts')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'Print the IANA special-purpose and multicast blocks netkit knows, with the snapshot date')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON on stdout: one object per input (JSON lines); a bad input becomes {"input": ..., "error": ...} in its place')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;subnet' {
            [CompletionResult]::new('--split', '--split', [CompletionResultType]::ParameterName, 'Split the block into N equal subnets (rounded up to a power of two, and said so)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Split the block into every subnet of this prefix length')
            [CompletionResult]::new('--hosts', '--hosts', [CompletionResultType]::ParameterName, 'VLSM: a subnet for each host count, the largest first, each the smallest that holds it')
            [CompletionResult]::new('--mask', '--mask', [CompletionResultType]::ParameterName, 'Are the two addresses on the same subnet under this mask (255.255.255.128, /25 or 25)? Exit 0 when they are, 1 when not')
            [CompletionResult]::new('--contains', '--contains', [CompletionResultType]::ParameterName, 'Which of these addresses or blocks lie inside the block? Exit 0 when all do, 1 when not')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Most rows an IPv6 split lists before it only counts the rest (0: no limit)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--aggregate', '--aggregate', [CompletionResultType]::ParameterName, 'The shortest list of blocks covering the same addresses (adjacent and contained ones merged; IPv4 and IPv6 each on their own)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The binary view: which bits are borrowed for the subnet number, and what they give')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'The binary view: which bits are borrowed for the subnet number, and what they give')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON: one document for a VLSM plan, a same-subnet answer or --contains; JSON lines for a split, a range and --aggregate: a line per block ({"subnet": ...}), then a {"summary": ...} line. A count past 2^64 - 1 is a decimal string (an IPv6 block''s addresses and usable_hosts always are)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;ifaces' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Also show interfaces that are down')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also show interfaces that are down')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'IPv4 addresses only (and only interfaces that have one)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'IPv6 addresses only (and only interfaces that have one)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'ifconfig-style blocks with traffic counters instead of the table')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'ifconfig-style blocks with traffic counters instead of the table')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON on stdout: {"interfaces": [...], "default_routes": [...]}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;ifconfig' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Also show interfaces that are down')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also show interfaces that are down')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'IPv4 addresses only (and only interfaces that have one)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'IPv6 addresses only (and only interfaces that have one)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'ifconfig-style blocks with traffic counters instead of the table')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'ifconfig-style blocks with traffic counters instead of the table')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON on stdout: {"interfaces": [...], "default_routes": [...]}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;ipconfig' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Also show interfaces that are down')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also show interfaces that are down')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'IPv4 addresses only (and only interfaces that have one)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'IPv6 addresses only (and only interfaces that have one)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'ifconfig-style blocks with traffic counters instead of the table')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'ifconfig-style blocks with traffic counters instead of the table')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON on stdout: {"interfaces": [...], "default_routes": [...]}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;ping' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Stop after COUNT probes (default: until Ctrl-C; in a sweep 1: each address is asked at most COUNT times, until it answers)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after COUNT probes (default: until Ctrl-C; in a sweep 1: each address is asked at most COUNT times, until it answers)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Time between probes, kept on a fixed schedule: seconds, or with a unit (200ms, 1.5s); below 0.2 s needs root')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between probes, kept on a fixed schedule: seconds, or with a unit (200ms, 1.5s); below 0.2 s needs root')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'How long to wait for replies after the last probe: seconds, or with a unit (500ms) [default: twice the slowest reply, or 10 s when none came]. In a sweep, how long each address is waited for [default: 1 s]: on the link an address whose ARP (or neighbour discovery) is unanswered by then is down, though the kernel itself gives up only after about 3 s; a shorter wait (-W 300ms) is faster on a quick lab link')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for replies after the last probe: seconds, or with a unit (500ms) [default: twice the slowest reply, or 10 s when none came]. In a sweep, how long each address is waited for [default: 1 s]: on the link an address whose ARP (or neighbour discovery) is unanswered by then is down, though the kernel itself gives up only after about 3 s; a shorter wait (-W 300ms) is faster on a quick lab link')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Stop after this long, however many probes were sent: seconds, or with a unit (2m)')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Stop after this long, however many probes were sent: seconds, or with a unit (2m)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Data bytes per probe: 56 makes a 64-byte ICMP message and an 84-byte IPv4 packet')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Data bytes per probe: 56 makes a 64-byte ICMP message and an 84-byte IPv4 packet')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Time to live (IPv4) or hop limit (IPv6) of the probes')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Time to live (IPv4) or hop limit (IPv6) of the probes')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Time a TCP connect to PORT instead of an ICMP echo (SYN/ACK and RST both mean up)')
            [CompletionResult]::new('--socket', '--socket', [CompletionResultType]::ParameterName, 'Which ICMP socket to use')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Resolve names to IPv4 only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Resolve names to IPv6 only')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet: print only the header lines and the statistics')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet: print only the header lines and the statistics')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Print a Unix timestamp before each line')
            [CompletionResult]::new('-O', '-O ', [CompletionResultType]::ParameterName, 'Report "no answer yet" for a probe still unanswered when the next is sent')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Sweep, and print only the addresses that answered, one a line, for scripts (fping -a)')
            [CompletionResult]::new('--alive', '--alive', [CompletionResultType]::ParameterName, 'Sweep, and print only the addresses that answered, one a line, for scripts (fping -a)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON lines on stdout: each reply and error as it comes ({"event": "reply", ...}), then a summary per host ({"event": "summary", ...}); a sweep: one line per address ({"event": "host", "state": "up", "reason": ...}), then {"event": "sweep_summary", ...}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;trace' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Most hops to try')
            [CompletionResult]::new('--max-hops', '--max-hops', [CompletionResultType]::ParameterName, 'Most hops to try')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Probes per hop')
            [CompletionResult]::new('--queries', '--queries', [CompletionResultType]::ParameterName, 'Probes per hop')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'How long to wait for each probe''s answer: seconds, or with a unit (500ms)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'How long to wait for each probe''s answer: seconds, or with a unit (500ms)')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'TCP SYN probes to PORT, by nonblocking connects (through firewalls that allow it)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The first UDP destination port (one more per probe, as traceroute does)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The first UDP destination port (one more per probe, as traceroute does)')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'Probe every hop once a round, N rounds, then the report with mtr''s columns and a verdict (where loss starts, which routers only limit their replies); 0: until Ctrl-C or SIGTERM, which end with the report. Exit 0 when the destination answered every probe, 1 when some went unanswered or it never answered')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Time between rounds (with --rounds): seconds, or with a unit (200ms); below 0.2 s only for root')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between rounds (with --rounds): seconds, or with a unit (200ms); below 0.2 s only for root')
            [CompletionResult]::new('--flow', '--flow', [CompletionResultType]::ParameterName, 'With --rounds: `round` changes the flow (the probes'' destination port) every round so every equal-cost path shows with its share; `fixed` keeps one for the whole run, to follow one path (UDP and ICMP; each TCP connect has a source port of its own)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'UDP probes (the default): a router answers with time exceeded, the destination with port unreachable; no privilege needed')
            [CompletionResult]::new('--icmp', '--icmp', [CompletionResultType]::ParameterName, 'ICMP echo probes (a raw socket where permitted, else the datagram kind)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'No reverse lookups of the hops'' names')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Resolve the host to IPv4 only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Resolve the host to IPv6 only')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON on stdout when done: {target, address, protocol, hops: [{ttl, probes, classification}], reached}; with --rounds: {target, protocol, start, end, rounds, hops: [{ttl, responders, sent, received, loss_percent, last_ms, avg_ms, best_ms, worst_ms, stdev_ms, classification}], verdict: [{finding, hops, text}]}')
            [CompletionResult]::new('--jitter', '--jitter', [CompletionResultType]::ParameterName, 'With --rounds: a JTTR column, the mean difference between a hop''s consecutive RTTs')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'With --rounds: one line per hop per round as each probe is over, with its ISO 8601 time (UTC), instead of the live table (JSON lines with --json), then the report')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;check' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'How long to wait for each answer: seconds, or with a unit (500ms)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'How long to wait for each answer: seconds, or with a unit (500ms)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON on stdout: {host, steps: [{step, name, status, ms, detail, meaning}], passed}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;echo' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Listen on this address only (repeatable; default: every IPv4 and IPv6 address)')
            [CompletionResult]::new('--backlog', '--backlog', [CompletionResultType]::ParameterName, 'The TCP accept queue: listen(N), the clients the kernel holds until they are accepted')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'What to answer')
            [CompletionResult]::new('--framed', '--framed', [CompletionResultType]::ParameterName, 'TCP messages are framed both ways: a length header, then the payload. HEADER is be32 (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs'' struct.pack(''i'', n)), be16 or le16')
            [CompletionResult]::new('--framed-in', '--framed-in', [CompletionResultType]::ParameterName, 'Only what this side reads is framed; what it writes goes as it is. The lessons'' remote-command server reads a bare command and answers struct.pack(''i'', len) + the output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object (the file server''s header) is shown as JSON, and its size field (file_size, total_size, filesize, size, length, data_size) says how many bare bytes follow: send reads them as the body and shows their size and md5 (compared with the header''s md5 field) or sha256, never the bytes')
            [CompletionResult]::new('--framed-out', '--framed-out', [CompletionResultType]::ParameterName, 'Only what this side writes is framed; what it reads is taken as it comes. For the lessons'' clients that send a bare command and read a struct.pack(''i'') header and the answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)')
            [CompletionResult]::new('--max-frame', '--max-frame', [CompletionResultType]::ParameterName, 'The longest frame accepted, and the longest body a JSON header may announce; a larger (or negative) header closes the connection')
            [CompletionResult]::new('--recv-size', '--recv-size', [CompletionResultType]::ParameterName, 'Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is cut to N (and the log says so), a TCP message comes in reads of at most N')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'Most TCP clients at once; more are refused with a log line')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'How long a TCP client may stay silent, or stop reading, before it is dropped: seconds, or with a unit (90s, 5m)')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'Most datagrams per second answered for one source address (0: no limit)')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Text encoding of messages: what arrives is shown decoded in it, what is typed is sent in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1, ... When a peer''s bytes read as text only in another of utf-8, gbk, big5, shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer. gbk is WHATWG''s: it reads 0x80 as € and GB18030''s four-byte codes, which Python''s gbk codec rejects')
            [CompletionResult]::new('--show', '--show', [CompletionResultType]::ParameterName, 'How arriving messages are shown, apart from how typed ones are written: `--show hex` types text and shows what arrives as a hex dump; `--hex --show text` types hex digits and shows text [default: hex with --hex, else text]')
            [CompletionResult]::new('--save', '--save', [CompletionResultType]::ParameterName, 'Append every received byte (each TCP read or frame, each datagram) to FILE, a regular file (created when missing)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'TCP only (default: TCP and UDP on the same port number)')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'UDP only (default: TCP and UDP on the same port number)')
            [CompletionResult]::new('--hex', '--hex', [CompletionResultType]::ParameterName, 'Show every message as a hex dump (offset, bytes, text, like xxd); messages given on the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \x48\x65')
            [CompletionResult]::new('--timestamps', '--timestamps', [CompletionResultType]::ParameterName, 'Put the wall-clock time (local, with milliseconds) before each log line: [14:31:12.345]; in JSON, "time": "2026-12-03T14:31:12.345+08:00". The zone is TZ''s, else /etc/localtime''s, read at the start')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the start and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the start and the summary')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Events as JSON lines: listening, connected ("client": its number), message, datagram (with "hex" and "text"), relayed (relay and chat: "to", the peers it went to), dropped, disconnected ("reads", or "messages" with --framed or --framed-in), not_saved (--save), summary; with --timestamps each has a "time"')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;listen' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Listen on this address only (repeatable; default: every IPv4 and IPv6 address)')
            [CompletionResult]::new('--backlog', '--backlog', [CompletionResultType]::ParameterName, 'The TCP accept queue: listen(N), the clients the kernel holds until they are accepted')
            [CompletionResult]::new('--reply', '--reply', [CompletionResultType]::ParameterName, 'Answer messages (in --encoding, or hex digits with --hex). TEXT alone answers every message; REQUEST=REPLY (repeatable) answers a message that is REQUEST (a line ending after it is ignored) with REPLY, the first rule that matches wins, and TEXT alone answers the rest. A * in REQUEST matches any bytes (\* a star, \= an equals sign). A fake drone: --reply command=ok --reply ''speed?=100.0'' --reply ''battery*=87'' --reply error')
            [CompletionResult]::new('--framed', '--framed', [CompletionResultType]::ParameterName, 'TCP messages are framed both ways: a length header, then the payload. HEADER is be32 (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs'' struct.pack(''i'', n)), be16 or le16')
            [CompletionResult]::new('--framed-in', '--framed-in', [CompletionResultType]::ParameterName, 'Only what this side reads is framed; what it writes goes as it is. The lessons'' remote-command server reads a bare command and answers struct.pack(''i'', len) + the output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object (the file server''s header) is shown as JSON, and its size field (file_size, total_size, filesize, size, length, data_size) says how many bare bytes follow: send reads them as the body and shows their size and md5 (compared with the header''s md5 field) or sha256, never the bytes')
            [CompletionResult]::new('--framed-out', '--framed-out', [CompletionResultType]::ParameterName, 'Only what this side writes is framed; what it reads is taken as it comes. For the lessons'' clients that send a bare command and read a struct.pack(''i'') header and the answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)')
            [CompletionResult]::new('--max-frame', '--max-frame', [CompletionResultType]::ParameterName, 'The longest frame accepted, and the longest body a JSON header may announce; a larger (or negative) header closes the connection')
            [CompletionResult]::new('--recv-size', '--recv-size', [CompletionResultType]::ParameterName, 'Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is cut to N (and the log says so), a TCP message comes in reads of at most N')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'Receive the datagrams of this multicast group (repeatable; IPv4 or IPv6)')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'The interface to join groups on (default: the one the routing table picks)')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'Most TCP clients at once; more are refused with a log line')
            [CompletionResult]::new('--stall-timeout', '--stall-timeout', [CompletionResultType]::ParameterName, 'How long a TCP client may stop reading what is sent to it before it is dropped: seconds, or with a unit (30s)')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Text encoding of messages: what arrives is shown decoded in it, what is typed is sent in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1, ... When a peer''s bytes read as text only in another of utf-8, gbk, big5, shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer. gbk is WHATWG''s: it reads 0x80 as € and GB18030''s four-byte codes, which Python''s gbk codec rejects')
            [CompletionResult]::new('--show', '--show', [CompletionResultType]::ParameterName, 'How arriving messages are shown, apart from how typed ones are written: `--show hex` types text and shows what arrives as a hex dump; `--hex --show text` types hex digits and shows text [default: hex with --hex, else text]')
            [CompletionResult]::new('--save', '--save', [CompletionResultType]::ParameterName, 'Append every received byte (each TCP read or frame, each datagram) to FILE, a regular file (created when missing)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'TCP only (default: TCP and UDP on the same port number)')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'UDP only (default: TCP and UDP on the same port number)')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'End when the first TCP client disconnects')
            [CompletionResult]::new('--serial', '--serial', [CompletionResultType]::ParameterName, 'Serve one TCP client at a time, to its end, before accepting the next (the hand-outs'' accept loop): later clients wait in the kernel''s accept queue (--backlog). When the queue is full, Linux drops the SYN and the client retries, so it waits and may time out (net.ipv4.tcp_abort_on_overflow=1 makes it a reset); "the 7th client gets an error" in the hand-outs is what Windows does')
            [CompletionResult]::new('--hex', '--hex', [CompletionResultType]::ParameterName, 'Show every message as a hex dump (offset, bytes, text, like xxd); messages given on the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \x48\x65')
            [CompletionResult]::new('--timestamps', '--timestamps', [CompletionResultType]::ParameterName, 'Put the wall-clock time (local, with milliseconds) before each log line: [14:31:12.345]; in JSON, "time": "2026-12-03T14:31:12.345+08:00". The zone is TZ''s, else /etc/localtime''s, read at the start')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the start, what is sent, and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the start, what is sent, and the summary')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Events as JSON lines: echo''s (listening, connected, message, datagram, dropped, disconnected, not_saved, summary) plus sent and not_sent')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;send' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Send from this local address and/or port: ADDR:PORT, :PORT or ADDR (as nc -s/-p)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Time to live of what is sent (IPv4 TTL or IPv6 hop limit) [default: 1 to a multicast group, the system''s otherwise]')
            [CompletionResult]::new('--framed', '--framed', [CompletionResultType]::ParameterName, 'TCP messages are framed both ways: a length header, then the payload. HEADER is be32 (4-byte big-endian, the default), le32 (4-byte little-endian signed: the hand-outs'' struct.pack(''i'', n)), be16 or le16')
            [CompletionResult]::new('--framed-in', '--framed-in', [CompletionResultType]::ParameterName, 'Only what this side reads is framed; what it writes goes as it is. The lessons'' remote-command server reads a bare command and answers struct.pack(''i'', len) + the output: `netkit send HOST:PORT --framed-in=le32 dir`. A frame that is a JSON object (the file server''s header) is shown as JSON, and its size field (file_size, total_size, filesize, size, length, data_size) says how many bare bytes follow: send reads them as the body and shows their size and md5 (compared with the header''s md5 field) or sha256, never the bytes')
            [CompletionResult]::new('--framed-out', '--framed-out', [CompletionResultType]::ParameterName, 'Only what this side writes is framed; what it reads is taken as it comes. For the lessons'' clients that send a bare command and read a struct.pack(''i'') header and the answer: `netkit echo 9000 --tcp --framed-out=le32` (or listen, typing the answers)')
            [CompletionResult]::new('--max-frame', '--max-frame', [CompletionResultType]::ParameterName, 'The longest frame accepted, and the longest body a JSON header may announce; a larger (or negative) header closes the connection')
            [CompletionResult]::new('--recv-size', '--recv-size', [CompletionResultType]::ParameterName, 'Read with a buffer of N bytes, like recv(N) / recvfrom(N): a longer UDP datagram is cut to N (and the log says so), a TCP message comes in reads of at most N')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for each reply (and for the connection): seconds, or with a unit (500ms). Interactive mode: how long a typed line waits for its first answer')
            [CompletionResult]::new('--save-body', '--save-body', [CompletionResultType]::ParameterName, 'With --framed-in (or --framed): write each body a JSON header announces to FILE, as it is hashed (FILE is emptied at the start; the bodies of several MESSAGEs follow one another)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Send this file''s bytes and check that the echo is identical (TCP streams it; UDP and --framed send it in pieces of --size bytes)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'With MESSAGEs: send them N times (0: until Ctrl-C), each reply printed. Without: measure the path with N generated messages of --size bytes, each checked byte for byte, then loss, reordering and RTT statistics')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Bytes per message with --count (at least 8: the sequence number), or per piece with --file')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between messages with --count (UDP keeps them in flight on this schedule): seconds, or with a unit (10ms) [default: 1 s when repeating MESSAGEs, 0.01 s for generated messages]')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Text encoding of messages: what arrives is shown decoded in it, what is typed is sent in it. WHATWG labels: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, windows-1252, latin1, ... When a peer''s bytes read as text only in another of utf-8, gbk, big5, shift_jis, euc-kr (or as UTF-8 mojibake in this one), the log says so once per peer. gbk is WHATWG''s: it reads 0x80 as € and GB18030''s four-byte codes, which Python''s gbk codec rejects')
            [CompletionResult]::new('--show', '--show', [CompletionResultType]::ParameterName, 'How arriving messages are shown, apart from how typed ones are written: `--show hex` types text and shows what arrives as a hex dump; `--hex --show text` types hex digits and shows text [default: hex with --hex, else text]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--broadcast', '--broadcast', [CompletionResultType]::ParameterName, 'Allow sending to a broadcast address (SO_BROADCAST)')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'Send UDP datagrams (default: TCP)')
            [CompletionResult]::new('--burst', '--burst', [CompletionResultType]::ParameterName, 'TCP: write every MESSAGE back to back before reading any reply (Nagle''s algorithm on, as plain send() calls have it), then show what came back and in how many reads')
            [CompletionResult]::new('--expect-reply', '--expect-reply', [CompletionResultType]::ParameterName, 'Exit 1 when a message gets no reply within --timeout. Without it a message that went out and drew no error is a success, reply or not: a program may take data and never answer (a UDP receiver, a server that closes on "exit"). The measure mode (--count without MESSAGEs) always expects replies')
            [CompletionResult]::new('--hex', '--hex', [CompletionResultType]::ParameterName, 'Show every message as a hex dump (offset, bytes, text, like xxd); messages given on the command line or typed are hex digits: 48 65 6c 6c 6f, 48656c6c6f or \x48\x65')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON lines: one object per exchange (interactive mode: "local" first, then "sent" per line and one object per arrival, with "time", "hex" and "text", and "after_line" and "rtt_ms" when it came while a line waited), then a summary object')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;scan' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Ports: 22,80,8000-8100,https, or the words well-known (1-1023), registered (1024-49151), dynamic (1024-65535: the hand-outs'' meaning, every port above the well-known ones), ephemeral (49152-65535: what IANA calls dynamic), all (1-65535)')
            [CompletionResult]::new('--ports', '--ports', [CompletionResultType]::ParameterName, 'Ports: 22,80,8000-8100,https, or the words well-known (1-1023), registered (1024-49151), dynamic (1024-65535: the hand-outs'' meaning, every port above the well-known ones), ephemeral (49152-65535: what IANA calls dynamic), all (1-65535)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for an answer: milliseconds (as nmap takes them), or with a unit (2s); the wait adapts to the RTTs seen, below this')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Most probes in flight (default: as many as the file-descriptor limit allows, up to 4096)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Skip host discovery, as nmap''s -Pn: scan the ports of every address, found down or not (where no machine answered on the link, or a router said unreachable, a down address''s ports are "unreachable", with the reason; after routed silence they stay "filtered": a firewall that drops everything looks the same)')
            [CompletionResult]::new('--host-wait', '--host-wait', [CompletionResultType]::ParameterName, 'Host discovery''s wait for each address (more than one address is scanned): seconds, or with a unit (500ms). The kernel''s own ARP gives up only after about 3 s; an address still unresolved after this wait is down')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'UDP scan: a probe per port (a real request for DNS, NTP, SNMP; else empty); slow, see below')
            [CompletionResult]::new('--syn', '--syn', [CompletionResultType]::ParameterName, 'Half-open TCP SYN scan with raw packets (needs root or CAP_NET_RAW; Linux)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'List only ports that are open or may be (open|filtered), as nmap''s --open; the closing counts still count every port')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List the addresses found down too, each with why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List the addresses found down too, each with why')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON on stdout: {"scans": [...]} with every port that is not closed (with --open: those open or open|filtered); for several addresses each address as it is done, with its "state" (up or down), "reason" and "reason_text", then a "summary"')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;port' {
            [CompletionResult]::new('--services-file', '--services-file', [CompletionResultType]::ParameterName, 'Services database to read, in services(5) format [default: /etc/services, or the built-in table where it is missing]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--listening', '--listening', [CompletionResultType]::ParameterName, 'List every listening TCP port and bound UDP port of this machine: the process (pid, program), the address (every interface, loopback only, or one), and what the port means (as ss -lntup, in netkit''s words)')
            [CompletionResult]::new('--builtin', '--builtin', [CompletionResultType]::ParameterName, 'Use only netkit''s built-in table of common IANA service names')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON on stdout: one object per port (JSON lines)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;watch' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'The interface to capture on (a veth of a lab namespace, eth0, any)')
            [CompletionResult]::new('--iface', '--iface', [CompletionResultType]::ParameterName, 'The interface to capture on (a veth of a lab namespace, eth0, any)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Stop after N packets shown')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N packets shown')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (seconds, or with a unit: 500ms, 2m); else Ctrl-C ends it')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Also write every captured packet to FILE as a pcap file that tcpdump -r and Wireshark read (kernel timestamps in nanoseconds, whole packets)')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'Also write every captured packet to FILE as a pcap file that tcpdump -r and Wireshark read (kernel timestamps in nanoseconds, whole packets)')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Text encoding payloads are shown in (WHATWG labels: utf-8, gbk, big5, shift_jis, ...)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the summary at the end, no line per packet (with --pcap: record now, read later)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the summary at the end, no line per packet (with --pcap: record now, read later)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Write each packet out as it is shown, also into a pipe or file (as tcpdump -l); on a terminal that is always so')
            [CompletionResult]::new('--line-buffered', '--line-buffered', [CompletionResultType]::ParameterName, 'Write each packet out as it is shown, also into a pipe or file (as tcpdump -l); on a terminal that is always so')
            [CompletionResult]::new('--hex', '--hex', [CompletionResultType]::ParameterName, 'Show payloads as hex dumps (offset, bytes, text, like xxd)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per packet, then the summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;generate' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;help' {
            [CompletionResult]::new('classify', 'classify', [CompletionResultType]::ParameterValue, 'Say what an address is: class A-E, private or public, special-purpose ranges, binary form, and subnet math for CIDR input')
            [CompletionResult]::new('subnet', 'subnet', [CompletionResultType]::ParameterValue, 'Plan networks: split a block (--split N, --prefix LEN), VLSM by host counts (--hosts), a range as CIDR blocks, --aggregate a list, same subnet? (--mask), --contains')
            [CompletionResult]::new('ifaces', 'ifaces', [CompletionResultType]::ParameterValue, 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Send ICMP echo requests (or timed TCP connects) to hosts, with iputils'' output and statistics; several hosts are pinged at once')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'The path to a host, hop by hop, each hop classified: UDP probes (unprivileged), --icmp or --tcp PORT, many hops in flight at once')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Is my network OK? The ladder: loopback, this machine''s address, the gateway, name resolution, then HOST; each step with its result, its time and what a failure means')
            [CompletionResult]::new('echo', 'echo', [CompletionResultType]::ParameterValue, 'Open a UDP and/or TCP echo endpoint to test socket code against (echo, upper-case, relay between clients, length-framed messages)')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'A server you answer by hand: shows each connection and message, and sends each line typed on stdin to the clients (TCP) or to the last peer (UDP)')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send messages to a UDP or TCP server and print each reply with its round-trip time')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Scan ports of hosts: TCP connects (no privilege needed), --syn half-open scans or --udp probes; which ports are open, closed or filtered, and why')
            [CompletionResult]::new('port', 'port', [CompletionResultType]::ParameterValue, 'Say what a port number means: IANA range (well-known, registered, dynamic) and service names')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Capture the packets of given ports (on lo, or --iface) and say what each one means: the handshake, data, the close, resets, SYNs sent again, a full window; a summary at the end')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions into completions/ and man pages into man/ under DIR')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'netkit;help;classify' {
            break
        }
        'netkit;help;subnet' {
            break
        }
        'netkit;help;ifaces' {
            break
        }
        'netkit;help;ping' {
            break
        }
        'netkit;help;trace' {
            break
        }
        'netkit;help;check' {
            break
        }
        'netkit;help;echo' {
            break
        }
        'netkit;help;listen' {
            break
        }
        'netkit;help;send' {
            break
        }
        'netkit;help;scan' {
            break
        }
        'netkit;help;port' {
            break
        }
        'netkit;help;watch' {
            break
        }
        'netkit;help;generate' {
            break
        }
        'netkit;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
