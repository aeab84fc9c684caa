"""Rule tags on each event: the table's call rules, then the rules about who, where and how."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from bot.analysis.bursts import enumeration_bursts
from bot.analysis.collection import Thresholds, collection_bursts
from bot.analysis.geo import Locator
from bot.analysis.instances import outside_calls
from bot.analysis.ipranges import AwsRanges
from bot.analysis.networks import IPNetwork, SourceKind, in_networks, source_kind
from bot.analysis.ownership import own_resource_calls
from bot.analysis.rules import api_rule
from bot.analysis.travel import impossible_travel
from bot.events import RuleId, TimelineEvent

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "Client.UnauthorizedOperation",
        "UnauthorizedAccess",
        "UnauthorizedException",
        "AuthorizationError",
        "AuthorizationErrorException",
        "NotAuthorized",
        "Forbidden",
    }
)
# Events of global services are recorded in us-east-1 whatever region the caller uses.
GLOBAL_SERVICES = frozenset(
    f"{name}.amazonaws.com"
    for name in (
        "iam",
        "sts",
        "organizations",
        "signin",
        "cloudfront",
        "route53",
        "route53domains",
        "support",
        "health",
        "account",
        "ce",
        "billingconsole",
        "globalaccelerator",
        "shield",
        "waf",
        "sso",
        "notifications",
    )
)


@dataclass(frozen=True)
class AnalysisConfig:
    """The operator's context: empty known networks or approved regions turn those rules off.

    `aws_ranges` is AWS's published address space (ip-ranges.json), when the operator
    gave it; `collection` holds the thresholds of an S3 collection burst.
    """

    known_networks: Sequence[IPNetwork] = ()
    approved_regions: frozenset[str] = frozenset()
    locator: Locator | None = None
    burst_calls: int = 5
    burst_window: timedelta = timedelta(minutes=10)
    max_speed_kmh: float = 900.0
    aws_ranges: AwsRanges | None = None
    collection: Thresholds = field(default_factory=Thresholds)


def is_denied(code: str) -> bool:
    """AccessDenied and its many spellings across services."""
    return code in DENIED_CODES or code.endswith(
        ("UnauthorizedOperation", "AccessDenied", "AccessDeniedException")
    )


def _denied(event: TimelineEvent) -> bool:
    """Denied calls of the key's holder; a service denied on its behalf is the service's."""
    if not event.error_code or not is_denied(event.error_code):
        return False
    return source_kind(event.source_ip) is not SourceKind.AWS


def _caller_identity(event: TimelineEvent, config: AnalysisConfig) -> bool:
    if event.event_name != "GetCallerIdentity" or event.event_source != "sts.amazonaws.com":
        return False
    if source_kind(event.source_ip) is SourceKind.AWS:
        return False
    return in_networks(event.source_ip, config.known_networks) is not True


def _unknown_network(event: TimelineEvent, config: AnalysisConfig) -> bool:
    if not config.known_networks:
        return False
    return in_networks(event.source_ip, config.known_networks) is False


def _unapproved_region(event: TimelineEvent, config: AnalysisConfig) -> bool:
    if not config.approved_regions or not event.region:
        return False
    if event.event_source in GLOBAL_SERVICES and event.region == "us-east-1":
        return False
    return event.region not in config.approved_regions


def _root(event: TimelineEvent) -> bool:
    return (
        event.principal_type == "Root"
        and not event.invoked_by
        and event.event_type != "AwsServiceEvent"
    )


def _console_without_mfa(event: TimelineEvent) -> bool:
    """A successful console sign-in without MFA; federated (role, SAML) ones do MFA at the IdP."""
    if event.event_name != "ConsoleLogin" or event.principal_type == "AssumedRole":
        return False
    if event.response_elements.get("ConsoleLogin") != "Success":
        return False
    if "SamlProviderArn" in event.additional_event_data:
        return False
    return str(event.additional_event_data.get("MFAUsed", "")).lower() == "no"


def event_tags(event: TimelineEvent, config: AnalysisConfig) -> list[RuleId]:
    """The rules that follow from this event alone; checked one by one, as most events get
    none and this runs for every event."""
    tags: list[RuleId] = []
    rule = api_rule(event)
    if rule is not None:
        tags.append(rule)
    if _caller_identity(event, config):
        tags.append(RuleId.RECON_CALLER_IDENTITY)
    if event.error_code and _denied(event):
        tags.append(RuleId.ACCESS_DENIED)
    if _unapproved_region(event, config):
        tags.append(RuleId.REGION_UNAPPROVED)
    if _unknown_network(event, config):
        tags.append(RuleId.NETWORK_UNKNOWN)
    if event.principal_type == "Root" and _root(event):
        tags.append(RuleId.ROOT_USAGE)
    if event.event_name == "ConsoleLogin" and _console_without_mfa(event):
        tags.append(RuleId.CONSOLE_LOGIN_NO_MFA)
    return tags


def tag_events(events: Sequence[TimelineEvent], config: AnalysisConfig) -> None:
    """Set every event's tags in place: per-event rules, then bursts and travel across events.

    Failed calls keep their rule: an attempt to stop CloudTrail says what the attacker
    wanted even when it failed. Findings made only of failed calls say "attempted".
    """
    for event in events:
        tags = event_tags(event, config)
        if tags or event.tags:  # a model's attribute assignment is slow; most get none
            event.tags = tags
    own = own_resource_calls(events)
    for event in events:
        if event.event_id in own:
            event.tags = [tag for tag in event.tags if tag is not own[event.event_id]]
    across = {
        RuleId.RECON_ENUMERATION: enumeration_bursts(
            events, config.burst_calls, config.burst_window
        ),
        RuleId.TRAVEL_IMPOSSIBLE: _travelled(events, config),
        RuleId.CREDENTIAL_ACCESS_INSTANCE_OUTSIDE_AWS: outside_calls(events, config.aws_ranges),
        RuleId.COLLECTION_S3: collection_bursts(events, config.collection),
    }
    for rule, event_ids in across.items():
        if not event_ids:
            continue
        for event in events:
            if event.event_id in event_ids:
                event.tags.append(rule)


def _travelled(events: Sequence[TimelineEvent], config: AnalysisConfig) -> set[str]:
    travelled: set[str] = set()
    if config.locator is not None:
        for hop in impossible_travel(events, config.locator, config.max_speed_kmh):
            travelled.update((hop.before.event_id, hop.after.event_id))
    return travelled
