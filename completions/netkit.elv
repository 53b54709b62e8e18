
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
            cand ifaces 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
            cand port 'Say what a port number means: IANA range (well-known, registered, dynamic) and service names'
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
        &'netkit;port'= {
            cand --services-file 'Services database to read, in services(5) format [default: /etc/services, or the built-in table where it is missing]'
            cand --color 'When to color the output: auto colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --builtin 'Use only netkit''s built-in table of common IANA service names'
            cand --json 'JSON on stdout: one object per port (JSON lines)'
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
            cand ifaces 'List network interfaces like ifconfig: flags, MTU, MAC, addresses (each classified), counters, and the default routes'
            cand port 'Say what a port number means: IANA range (well-known, registered, dynamic) and service names'
            cand generate 'Write shell completions into completions/ and man pages into man/ under DIR'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'netkit;help;classify'= {
        }
        &'netkit;help;ifaces'= {
        }
        &'netkit;help;port'= {
        }
        &'netkit;help;generate'= {
        }
        &'netkit;help;help'= {
        }
    ]
    $completions[$command]
}
