"""AWS's own address space, from its published ip-ranges.json, for "is this call from AWS?".

The file (https://ip-ranges.amazonaws.com/ip-ranges.json) lists about ten thousand
prefixes; they are merged into sorted integer intervals once, so that each address is
looked up by bisection rather than tested against every prefix.
"""

from __future__ import annotations

import bisect
import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.analysis.networks import IPNetwork, parse_ip
from bot.errors import KeycheckError


@dataclass(frozen=True)
class AwsRanges:
    """Merged [first, last] address intervals per IP version; `starts` for the bisection."""

    starts: dict[int, tuple[int, ...]]
    ends: dict[int, tuple[int, ...]]

    @classmethod
    def of(cls, networks: list[IPNetwork]) -> AwsRanges:
        starts: dict[int, list[int]] = {4: [], 6: []}
        ends: dict[int, list[int]] = {4: [], 6: []}
        ordered = sorted(networks, key=lambda n: (n.version, int(n.network_address)))
        for network in ordered:
            first, last = int(network.network_address), int(network.broadcast_address)
            version_ends = ends[network.version]
            if version_ends and first <= version_ends[-1] + 1:
                version_ends[-1] = max(version_ends[-1], last)
                continue
            starts[network.version].append(first)
            version_ends.append(last)
        return cls({v: tuple(s) for v, s in starts.items()}, {v: tuple(e) for v, e in ends.items()})

    def __contains__(self, source: object) -> bool:
        address = parse_ip(str(source))
        if address is None:
            return False
        value = int(address)
        starts = self.starts.get(address.version, ())
        index = bisect.bisect_right(starts, value) - 1
        return index >= 0 and value <= self.ends[address.version][index]

    def __len__(self) -> int:
        return sum(len(starts) for starts in self.starts.values())


def parse_ip_ranges(document: dict[str, Any]) -> AwsRanges:
    """Every IPv4 and IPv6 prefix of the document, whatever service or region it names."""
    networks: list[IPNetwork] = []
    for field, name in (("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix")):
        for entry in document.get(field) or []:
            if isinstance(entry, dict) and entry.get(name):
                networks.append(ipaddress.ip_network(str(entry[name]), strict=False))
    return AwsRanges.of(networks)


def load_ip_ranges(path: Path) -> AwsRanges:
    """The file the operator pointed the setting at; unreadable or empty is a clear error."""
    try:
        document = json.loads(path.read_text())
        ranges = parse_ip_ranges(document if isinstance(document, dict) else {})
    except (OSError, ValueError) as error:
        raise KeycheckError(f"Cannot read AWS's ip-ranges.json at {path}: {error}") from error
    if not len(ranges):
        raise KeycheckError(f"{path} lists no prefixes: expected AWS's ip-ranges.json")
    return ranges
