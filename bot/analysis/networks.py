"""Where a call came from: an IP address, AWS itself, or something we cannot read."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SourceKind(StrEnum):
    IP = "ip"
    AWS = "aws"
    UNREADABLE = "unreadable"


def source_kind(source: str) -> SourceKind:
    """AWS service hostnames and "AWS Internal" are AWS acting; bad or anonymised IPs unreadable."""
    text = source.strip()
    if text.endswith(".amazonaws.com") or text.lower() in {"aws internal", "amazonaws.com"}:
        return SourceKind.AWS
    return SourceKind.IP if parse_ip(text) is not None else SourceKind.UNREADABLE


@lru_cache(maxsize=4096)
def parse_ip(source: str) -> IPAddress | None:
    """The address, or None for hostnames, empty values and malformed or anonymised ones.

    Cached: a trail repeats a few addresses over and over, and parsing one costs more than
    all the rules that ask for it.
    """
    try:
        return ipaddress.ip_address(source.strip())
    except ValueError:
        return None


def parse_networks(cidrs: Sequence[str]) -> list[IPNetwork]:
    """CIDRs from a user (setting or flag); host bits are forgiven, garbage is an error."""
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip()]


def in_networks(source: str, networks: Sequence[IPNetwork]) -> bool | None:
    """True/False for a readable IP; None when the source is AWS or unreadable."""
    address = parse_ip(source)
    if address is None:
        return None
    return any(address in network for network in networks if network.version == address.version)
