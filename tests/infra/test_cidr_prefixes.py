"""infra/cidr_prefixes.py: CIDRs to the exact string prefixes EventBridge can exclude."""

from __future__ import annotations

import ipaddress
import random
import subprocess
import sys

import pytest

from infra.cidr_prefixes import NotExpressible, known_ip_prefixes, prefixes_for
from tests.infra.cfn import INFRA, Stack


@pytest.mark.parametrize(
    ("cidr", "expected"),
    [
        ("10.0.0.0/8", ["10."]),
        ("192.168.0.0/16", ["192.168."]),
        ("203.0.113.0/24", ["203.0.113."]),
        ("172.16.0.0/12", [f"172.{n}." for n in range(16, 32)]),
        ("198.51.100.0/23", ["198.51.100.", "198.51.101."]),
        ("10.1.2.3/8", ["10."]),
        ("0.0.0.0/1", [f"{n}." for n in range(128)]),
    ],
)
def test_prefixes_for(cidr: str, expected: list[str]) -> None:
    assert prefixes_for(cidr) == expected


@pytest.mark.parametrize("cidr", ["203.0.113.5/32", "203.0.113.0/25", "2001:db8::/32", "0.0.0.0/0"])
def test_ranges_without_an_exact_prefix_are_refused(cidr: str) -> None:
    with pytest.raises(NotExpressible):
        prefixes_for(cidr)


def test_prefixes_match_exactly_the_addresses_of_their_range() -> None:
    """A prefix ends on a dot, so "10." never matches 100.x and 172.16. never 172.160.x."""
    cidrs = ["10.0.0.0/8", "172.16.0.0/12", "198.51.100.0/22"]
    prefixes, _ = known_ip_prefixes(cidrs)
    networks = [ipaddress.ip_network(c) for c in cidrs]
    rng = random.Random(7)
    probes = [
        f"{a}.{b}.{c}.{d}"
        for a, b, c, d in ([rng.randrange(256) for _ in range(4)] for _ in range(5000))
    ]
    probes += [
        "100.1.1.1",
        "172.160.0.1",
        "172.15.255.255",
        "172.32.0.0",
        "198.51.104.0",
        "198.51.103.9",
    ]
    for ip in probes:
        inside = any(ipaddress.ip_address(ip) in n for n in networks)
        assert any(ip.startswith(p) for p in prefixes) is inside, ip


def test_merges_duplicates_and_covered_ranges_and_reports_the_rest() -> None:
    prefixes, skipped = known_ip_prefixes(
        ["192.168.1.0/24", "192.168.0.0/16", "10.0.0.0/8", "10.0.0.0/8", "203.0.113.9/32"]
    )
    assert prefixes == ["10.", "192.168."]
    assert len(skipped) == 1
    assert skipped[0].startswith("203.0.113.9/32")


def test_cli_prints_the_parameter_value() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(INFRA / "cidr_prefixes.py"),
            "10.0.0.0/8",
            "172.16.0.0/12",
            "203.0.113.7/32",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ",".join(["10.", *(f"172.{n}." for n in range(16, 32))])
    assert "203.0.113.7/32" in result.stderr


def test_cli_refuses_bad_input() -> None:
    for args in ([], ["not-a-cidr"]):
        result = subprocess.run(
            [sys.executable, str(INFRA / "cidr_prefixes.py"), *args],
            capture_output=True,
            check=False,
        )
        assert result.returncode == 2


def test_template_default_is_the_private_ranges() -> None:
    stack = Stack(INFRA / "detections.yaml", {"CloudTrailLogGroupName": "trail"})
    private = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    assert stack.parameters["KnownIpPrefixes"] == known_ip_prefixes(private)[0]
