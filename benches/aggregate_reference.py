"""The peer of `netkit subnet --aggregate -`: Python's ipaddress.collapse_addresses over the
same lines (one prefix a line; host bits dropped, as strict=False does), one result a line."""
import ipaddress
import sys

nets = [ipaddress.ip_network(line.strip(), strict=False) for line in sys.stdin if line.strip()]
v4 = [n for n in nets if n.version == 4]
v6 = [n for n in nets if n.version == 6]
out = sys.stdout
for group in (v4, v6):
    for n in ipaddress.collapse_addresses(group):
        out.write(f"{n}\n")
