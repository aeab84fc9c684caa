"""Turn known IPv4 CIDRs into the string prefixes an EventBridge pattern can exclude.

EventBridge compares `sourceIPAddress` as a string. `{"anything-but": ["10.0.0.0/8"]}`
therefore excludes only the literal text "10.0.0.0/8" and fires for every real address,
and there is no negated `cidr` operator. What does work is `{"anything-but": {"prefix":
[...]}}` with prefixes that end on an octet boundary: 10.0.0.0/8 is "10.", 192.168.0.0/16
is "192.168.". A range that does not end on an octet boundary is expanded into the
octet prefixes it covers (172.16.0.0/12 is "172.16." to "172.31.").

Ranges longer than /24 (and IPv6) have no exact string-prefix form: "203.0.113.5" is also
a prefix of "203.0.113.50". They are left out, with a note on stderr; events from them
reach the bot, which drops them against KEYCHECK_KNOWN_CIDRS before alerting.

    python infra/cidr_prefixes.py 10.0.0.0/8 172.16.0.0/12
    10.,172.16.,172.17.,...,172.31.

The output is the value for the detections stack's `KnownIpPrefixes` parameter.
"""

from __future__ import annotations

import ipaddress
import sys

LONGEST_PREFIX = 24


class NotExpressible(ValueError):
    """A CIDR that no list of octet prefixes describes exactly."""


def prefixes_for(cidr: str) -> list[str]:
    """The octet-aligned string prefixes that together match exactly the addresses of `cidr`."""
    network = ipaddress.ip_network(cidr.strip(), strict=False)
    if not isinstance(network, ipaddress.IPv4Network):
        raise NotExpressible(f"{cidr}: IPv6 addresses have no canonical prefix text")
    if network.prefixlen == 0:
        raise NotExpressible(f"{cidr}: would mark every address as known")
    if network.prefixlen > LONGEST_PREFIX:
        raise NotExpressible(f"{cidr}: longer than /{LONGEST_PREFIX}, no exact prefix")
    octets = -(-network.prefixlen // 8)  # round up to the next octet boundary
    return [
        ".".join(str(subnet.network_address).split(".")[:octets]) + "."
        for subnet in network.subnets(new_prefix=octets * 8)
    ]


def known_ip_prefixes(cidrs: list[str]) -> tuple[list[str], list[str]]:
    """Prefixes for all `cidrs` (sorted, without duplicates or covered ones), and the skipped."""
    found: set[str] = set()
    skipped: list[str] = []
    for cidr in cidrs:
        try:
            found.update(prefixes_for(cidr))
        except NotExpressible as error:
            skipped.append(str(error))
    kept = [p for p in found if not any(p != q and p.startswith(q) for q in found)]
    return sorted(kept, key=lambda p: [int(octet) for octet in p.rstrip(".").split(".")]), skipped


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        prefixes, skipped = known_ip_prefixes(argv)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for note in skipped:
        print(f"note: {note}; left to the bot's KEYCHECK_KNOWN_CIDRS filter", file=sys.stderr)
    print(",".join(prefixes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
