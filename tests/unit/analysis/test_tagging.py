"""Rule tags on events: what each rule id means, at its edges."""

from __future__ import annotations

import pytest

from bot.analysis.networks import parse_networks
from bot.analysis.tagging import AnalysisConfig, event_tags, is_denied, tag_events
from bot.models import RuleId, TimelineEvent
from tests.unit.analysis.support import T0, event, seconds

NO_CONTEXT = AnalysisConfig()
OFFICE = AnalysisConfig(known_networks=tuple(parse_networks(["203.0.113.0/24", "2001:db8::/32"])))


def tags(item: TimelineEvent, config: AnalysisConfig = NO_CONTEXT) -> set[RuleId]:
    return set(event_tags(item, config))


# -- recon.caller_identity ---------------------------------------------------------------


def test_get_caller_identity_from_outside_the_known_networks_is_recon() -> None:
    assert RuleId.RECON_CALLER_IDENTITY in tags(event("GetCallerIdentity", "sts"), OFFICE)


def test_get_caller_identity_from_a_known_network_is_not() -> None:
    inside = event("GetCallerIdentity", "sts", ip="203.0.113.7")
    assert RuleId.RECON_CALLER_IDENTITY not in tags(inside, OFFICE)


def test_without_known_networks_any_non_aws_caller_is_recon_but_aws_itself_is_not() -> None:
    assert RuleId.RECON_CALLER_IDENTITY in tags(event("GetCallerIdentity", "sts"))
    by_aws = event("GetCallerIdentity", "sts", ip="ec2.amazonaws.com")
    assert RuleId.RECON_CALLER_IDENTITY not in tags(by_aws)


# -- network.unknown ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "unknown"),
    [
        ("198.51.100.50", True),
        ("203.0.113.200", False),
        ("2001:db8::1", False),
        ("2001:4860::8888", True),
        ("ec2.amazonaws.com", False),
        ("AWS Internal", False),
        ("255.090.254.5", False),
        ("", False),
        ("not an address", False),
    ],
)
def test_unknown_networks_are_readable_addresses_outside_the_known_cidrs(
    source: str, unknown: bool
) -> None:
    assert (RuleId.NETWORK_UNKNOWN in tags(event("ListUsers", ip=source), OFFICE)) is unknown


def test_no_known_networks_turns_the_network_rule_off() -> None:
    assert RuleId.NETWORK_UNKNOWN not in tags(event("ListUsers"))


# -- region.unapproved --------------------------------------------------------------------

APPROVED = AnalysisConfig(approved_regions=frozenset({"us-east-1", "eu-west-1"}))


def test_a_call_in_an_unapproved_region_is_tagged() -> None:
    assert RuleId.REGION_UNAPPROVED in tags(
        event("RunInstances", "ec2", region="ap-south-1"), APPROVED
    )
    assert RuleId.REGION_UNAPPROVED not in tags(
        event("RunInstances", "ec2", region="eu-west-1"), APPROVED
    )


def test_global_services_logged_in_us_east_1_are_not_a_region_choice() -> None:
    only_eu = AnalysisConfig(approved_regions=frozenset({"eu-west-1"}))
    assert RuleId.REGION_UNAPPROVED not in tags(event("CreateUser", "iam"), only_eu)
    assert RuleId.REGION_UNAPPROVED in tags(event("RunInstances", "ec2"), only_eu)


def test_no_approved_regions_turns_the_region_rule_off() -> None:
    assert RuleId.REGION_UNAPPROVED not in tags(event("RunInstances", "ec2", region="ap-south-1"))


# -- access_denied ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "KMS.AccessDeniedException",
    ],
)
def test_every_spelling_of_denied_is_access_denied(code: str) -> None:
    assert is_denied(code)
    assert RuleId.ACCESS_DENIED in tags(event("ListUsers", errorCode=code))


@pytest.mark.parametrize("code", ["NoSuchEntity", "ThrottlingException", "ValidationException"])
def test_other_errors_are_not(code: str) -> None:
    assert RuleId.ACCESS_DENIED not in tags(event("GetUser", errorCode=code))


# -- root and console -------------------------------------------------------------------------

ROOT = {"type": "Root", "arn": "arn:aws:iam::123456789012:root", "accountId": "123456789012"}


def test_root_calls_are_root_usage_unless_a_service_made_them() -> None:
    assert RuleId.ROOT_USAGE in tags(event("CreateAccessKey", identity=ROOT))
    by_service = {**ROOT, "invokedBy": "support.amazonaws.com"}
    assert RuleId.ROOT_USAGE not in tags(event("DescribeCases", "support", identity=by_service))
    service_event = event("CreateAccessKey", identity=ROOT, eventType="AwsServiceEvent")
    assert RuleId.ROOT_USAGE not in tags(service_event)


def _login(result: str, mfa: str, kind: str = "IAMUser") -> TimelineEvent:
    return event(
        "ConsoleLogin",
        "signin",
        identity={"type": kind, "arn": "arn:aws:iam::123456789012:user/alice"},
        responseElements={"ConsoleLogin": result},
        additionalEventData={"MFAUsed": mfa, "LoginTo": "https://console.aws.amazon.com/"},
        eventType="AwsConsoleSignIn",
    )


def test_a_successful_console_login_without_mfa_is_tagged() -> None:
    assert RuleId.CONSOLE_LOGIN_NO_MFA in tags(_login("Success", "No"))


@pytest.mark.parametrize(
    ("result", "mfa", "kind"),
    [("Success", "Yes", "IAMUser"), ("Failure", "No", "IAMUser"), ("Success", "No", "AssumedRole")],
)
def test_mfa_failures_and_federated_logins_are_not(result: str, mfa: str, kind: str) -> None:
    assert RuleId.CONSOLE_LOGIN_NO_MFA not in tags(_login(result, mfa, kind))


# -- the table's conditions -------------------------------------------------------------------


def test_create_user_of_iam_is_not_create_user_of_transfer() -> None:
    assert tags(event("CreateUser", "iam")) == {RuleId.PERSISTENCE_USER}
    assert tags(event("CreateUser", "transfer")) == {RuleId.EXFIL_SHARING}


def test_a_security_group_is_tagged_only_when_opened_to_the_internet() -> None:
    world = event("AuthorizeSecurityGroupIngress", "ec2", requestParameters={"cidrIp": "0.0.0.0/0"})
    office = event(
        "AuthorizeSecurityGroupIngress", "ec2", requestParameters={"cidrIp": "203.0.113.0/24"}
    )
    assert RuleId.EXFIL_SHARING in tags(world)
    assert RuleId.EXFIL_SHARING not in tags(office)


def test_reactivating_a_key_is_persistence_and_deactivating_it_is_not() -> None:
    active = event("UpdateAccessKey", requestParameters={"status": "Active"})
    inactive = event("UpdateAccessKey", requestParameters={"status": "Inactive"})
    assert RuleId.PERSISTENCE_ACCESS_KEY in tags(active)
    assert RuleId.PERSISTENCE_ACCESS_KEY not in tags(inactive)


def test_sns_publish_is_tagged_only_for_sms() -> None:
    assert RuleId.IMPACT_COMPUTE in tags(
        event("Publish", "sns", requestParameters={"phoneNumber": "+15550100"})
    )
    assert RuleId.IMPACT_COMPUTE not in tags(
        event("Publish", "sns", requestParameters={"topicArn": "x"})
    )


# -- recon.enumeration: at least 5 distinct discovery calls by one key within 10 minutes ----

SEED = ("GetCallerIdentity", "ListUsers", "ListAccessKeys", "ListRoles", "ListPolicies", "GetUser")


def _calls(
    names: tuple[str, ...], gap: float, key: str = "AKIAQWERTYUIOPASDFGH"
) -> list[TimelineEvent]:
    return [
        event(
            name,
            "sts" if name == "GetCallerIdentity" else "iam",
            key=key,
            when=T0 + seconds(i * gap),
        )
        for i, name in enumerate(names)
    ]


def _enumerated(events: list[TimelineEvent]) -> list[str]:
    tag_events(events, NO_CONTEXT)
    return [e.event_name for e in events if RuleId.RECON_ENUMERATION in e.tags]


def test_the_seed_recon_sequence_is_one_burst() -> None:
    assert _enumerated(_calls(SEED, 7)) == list(SEED)


def test_four_distinct_calls_are_not_a_burst() -> None:
    assert _enumerated(_calls(SEED[:4], 7)) == []


def test_the_same_call_repeated_is_not_a_burst() -> None:
    assert _enumerated(_calls(("ListUsers",) * 20, 1)) == []


def test_five_calls_spread_over_more_than_ten_minutes_are_not_a_burst() -> None:
    assert _enumerated(_calls(SEED[:5], 151)) == []


def test_bursts_are_counted_per_key() -> None:
    mixed = _calls(SEED[:3], 5) + _calls(SEED[3:], 5, key="AKIAZXCVBNMASDFGHJKL")
    assert _enumerated(mixed) == []


def test_resource_inventory_calls_do_not_make_a_burst() -> None:
    names = (
        "DescribeInstances",
        "DescribeVolumes",
        "DescribeSnapshots",
        "DescribeVpcs",
        "DescribeSubnets",
    )
    inventory = [event(name, "ec2", when=T0 + seconds(i)) for i, name in enumerate(names)]
    assert _enumerated(inventory) == []
