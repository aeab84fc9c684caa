"""credential_access.instance_outside_aws: an instance role's session used from outside AWS.

EC2 names the session of an instance profile's role after the instance
(`assumed-role/ROLE/i-0abc…`), and mints it with an AssumeRole made by `ec2.amazonaws.com`.
Such credentials should only ever be used from the instance itself: a call from anywhere
else is what GuardDuty calls InstanceCredentialExfiltration.OutsideAWS (T1552.005).

Where is "the instance"? With AWS's published ip-ranges.json, any public address outside
AWS is outside. Without it, the addresses the instance's sessions called from before the
first call from a new one are its own, and every other public address is outside. Private
addresses (VPC endpoints) and AWS services acting for the role are never outside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.analysis.ipranges import AwsRanges
from bot.analysis.networks import parse_ip, parse_networks
from bot.events import TimelineEvent

_INSTANCE_ARN = re.compile(r":assumed-role/([^/]+)/(i-[0-9a-f]{8,17})$")
_INSTANCE_ID = re.compile(r"^i-[0-9a-f]{8,17}$")
EC2 = "ec2.amazonaws.com"
# Where calls from inside a VPC come from (RFC 1918, carrier-grade NAT, unique local IPv6).
VPC_SPACE = parse_networks(
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]
)


def instance_of(event: TimelineEvent) -> str | None:
    """'ROLE/i-…' when the call was made with an instance profile's session, else None."""
    match = _INSTANCE_ARN.search(event.principal_arn)
    return f"{match.group(1)}/{match.group(2)}" if match else None


def _minted_for_instances(events: Sequence[TimelineEvent]) -> dict[str, str]:
    """Keys that EC2 itself minted for an instance: key → 'ROLE/i-…'."""
    minted: dict[str, str] = {}
    for event in events:
        if event.event_name != "AssumeRole" or EC2 not in (event.source_ip, event.invoked_by):
            continue
        session = str(event.request_parameters.get("roleSessionName", ""))
        credentials = event.response_elements.get("credentials")
        key = credentials.get("accessKeyId") if isinstance(credentials, dict) else None
        if key and _INSTANCE_ID.match(session):
            role = str(event.request_parameters.get("roleArn", "")).rsplit("/", 1)[-1]
            minted[str(key)] = f"{role}/{session}"
    return minted


def _public(source: str) -> bool:
    """An address on the internet: not a VPC's private or shared space, not a loopback."""
    address = parse_ip(source)
    if address is None or address.is_loopback or address.is_link_local:
        return False
    return not any(
        address in network for network in VPC_SPACE if network.version == address.version
    )


def outside_calls(events: Sequence[TimelineEvent], aws: AwsRanges | None = None) -> set[str]:
    """Event ids of the calls made with an instance's credentials from outside the instance."""
    minted = _minted_for_instances(events)
    by_instance: dict[str, list[TimelineEvent]] = {}
    for event in events:
        instance = instance_of(event) or minted.get(event.access_key_id)
        if instance is not None and _public(event.source_ip):
            by_instance.setdefault(instance, []).append(event)
    outside: set[str] = set()
    for series in by_instance.values():
        outside |= _outside(sorted(series, key=lambda e: e.time), aws)
    return outside


def _outside(series: list[TimelineEvent], aws: AwsRanges | None) -> set[str]:
    if aws is not None:
        return {event.event_id for event in series if event.source_ip not in aws}
    own = series[0].source_ip
    return {event.event_id for event in series if event.source_ip != own}
