"""LookupEvents through the real boto3 client, paginator and retries, against the stand-in."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from bot.aws.cloudtrail import find_session_origin, lookup_events
from bot.aws.ratelimit import TokenBucket
from bot.aws.sessions import CLIENT_CONFIG
from bot.standins.cloudtrail import CloudTrailStandIn
from tests.unit.analysis.support import (
    ACCOUNT,
    KEY,
    T0,
    as_role,
    assume_role,
    cloudtrail_standin,
    record,
)

OTHER = "AKIAZXCVBNMASDFGHJKL"
ASIA = "ASIAPOIUYTREWQLKJHGF"
WINDOW = {"start": T0 - timedelta(days=1), "end": T0 + timedelta(days=1)}
PATIENT = Config(retries={"mode": "standard", "total_max_attempts": 10})


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch, now=lambda: T0 + timedelta(days=2)) as running:
        yield running


def client(region: str = "us-east-1", config: Config = CLIENT_CONFIG) -> Any:
    return boto3.client("cloudtrail", region_name=region, config=config)


def by_key(key: str = KEY, **extra: Any) -> list[Any]:
    return list(
        lookup_events(client(**extra), attribute_key="AccessKeyId", attribute_value=key, **WINDOW)
    )


def _seed(standin: CloudTrailStandIn, count: int, region: str = "us-east-1") -> None:
    standin.add_records(
        region,
        [record("ListUsers", when=T0 + timedelta(seconds=i), region=region) for i in range(count)]
        + [record("GetUser", key=OTHER, when=T0, region=region)],
    )


def test_the_endpoint_comes_from_the_standard_environment_variable(
    standin: CloudTrailStandIn,
) -> None:
    assert client().meta.endpoint_url == standin.url


def test_a_key_is_read_fifty_a_page_newest_first(standin: CloudTrailStandIn) -> None:
    _seed(standin, 123)
    events = list(
        lookup_events(
            client(),
            attribute_key="AccessKeyId",
            attribute_value=KEY,
            bucket=TokenBucket(),
            **WINDOW,
        )
    )
    assert len(events) == 123
    assert {e.access_key_id for e in events} == {KEY}
    assert [e.time for e in events] == sorted((e.time for e in events), reverse=True)
    assert standin.request_count("us-east-1") == 3


def test_boto3s_own_paginator_walks_the_pages(standin: CloudTrailStandIn) -> None:
    _seed(standin, 120)
    pages = (
        client(config=PATIENT)
        .get_paginator("lookup_events")
        .paginate(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListUsers"}],
            StartTime=WINDOW["start"],
            EndTime=WINDOW["end"],
            PaginationConfig={"PageSize": 40},
        )
    )
    sizes = [len(page["Events"]) for page in pages]
    assert sizes == [40, 40, 40]


def test_each_item_has_the_documented_shape(standin: CloudTrailStandIn) -> None:
    resource = [{"ARN": "arn:aws:iam::123456789012:user/x", "type": "AWS::IAM::User"}]
    standin.add_records("us-east-1", [record("CreateUser", resources=resource, readOnly=False)])
    (item,) = client().lookup_events(**{"StartTime": WINDOW["start"], "EndTime": WINDOW["end"]})[
        "Events"
    ]
    assert item["AccessKeyId"] == KEY
    assert item["Username"] == "app-integration-user"
    assert item["ReadOnly"] == "false"
    assert item["Resources"] == [
        {"ResourceType": "AWS::IAM::User", "ResourceName": "arn:aws:iam::123456789012:user/x"}
    ]
    assert json.loads(item["CloudTrailEvent"])["eventName"] == "CreateUser"
    assert item["EventTime"].tzinfo is not None


@pytest.mark.parametrize(
    ("key", "value", "names"),
    [
        ("EventName", "CreateUser", ["CreateUser"]),
        ("EventSource", "sts.amazonaws.com", ["GetCallerIdentity"]),
        ("Username", "app-integration-user", ["CreateUser", "GetCallerIdentity", "ListUsers"]),
        ("ReadOnly", "true", ["GetCallerIdentity", "ListUsers"]),
        ("ResourceType", "AWS::IAM::User", ["CreateUser"]),
        ("ResourceName", "arn:aws:iam::123456789012:user/x", ["CreateUser"]),
    ],
)
def test_every_lookup_attribute_filters(
    standin: CloudTrailStandIn, key: str, value: str, names: list[str]
) -> None:
    resource = [{"ARN": "arn:aws:iam::123456789012:user/x", "type": "AWS::IAM::User"}]
    standin.add_records(
        "us-east-1",
        [
            record("CreateUser", resources=resource, readOnly=False),
            record("GetCallerIdentity", "sts", readOnly=True, when=T0 + timedelta(seconds=1)),
            record("ListUsers", readOnly=True, when=T0 + timedelta(seconds=2)),
        ],
    )
    found = list(lookup_events(client(), attribute_key=key, attribute_value=value, **WINDOW))
    assert sorted(e.event_name for e in found) == names


def test_event_id_finds_one_event(standin: CloudTrailStandIn) -> None:
    wanted = record("DeleteTrail", "cloudtrail")
    standin.add_records("us-east-1", [wanted, record("ListUsers")])
    found = list(
        lookup_events(
            client(), attribute_key="EventId", attribute_value=wanted["eventID"], **WINDOW
        )
    )
    assert [e.event_name for e in found] == ["DeleteTrail"]


def test_start_and_end_are_inclusive_and_the_window_is_ninety_days(
    standin: CloudTrailStandIn,
) -> None:
    standin.add_records(
        "us-east-1",
        [
            record("ListUsers", when=T0),
            record("ListRoles", when=T0 + timedelta(hours=1)),
            record("ListPolicies", when=T0 + timedelta(hours=2)),
            record("GetUser", when=T0 - timedelta(days=100)),
        ],
    )
    found = lookup_events(
        client(),
        attribute_key="AccessKeyId",
        attribute_value=KEY,
        start=T0,
        end=T0 + timedelta(hours=1),
    )
    assert sorted(e.event_name for e in found) == ["ListRoles", "ListUsers"]
    everything = client().lookup_events(
        StartTime=T0 - timedelta(days=365), EndTime=T0 + timedelta(days=1)
    )
    assert "GetUser" not in {e["EventName"] for e in everything["Events"]}


def test_regions_are_separate(standin: CloudTrailStandIn) -> None:
    _seed(standin, 3, "eu-west-1")
    assert by_key(region="us-east-1") == []
    assert len(by_key(region="eu-west-1")) == 3


@pytest.mark.parametrize(
    ("request_body", "code"),
    [
        ({"MaxResults": 51}, "InvalidMaxResultsException"),
        (
            {
                "LookupAttributes": [
                    {"AttributeKey": "EventName", "AttributeValue": "a"},
                    {"AttributeKey": "EventName", "AttributeValue": "b"},
                ]
            },
            "InvalidLookupAttributesException",
        ),
        (
            {"LookupAttributes": [{"AttributeKey": "SourceIp", "AttributeValue": "1.2.3.4"}]},
            "InvalidLookupAttributesException",
        ),
        ({"StartTime": T0, "EndTime": T0 - timedelta(hours=1)}, "InvalidTimeRangeException"),
        ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
        ({"EventCategory": "data"}, "InvalidEventCategoryException"),
    ],
)
def test_the_api_limits_are_enforced(
    standin: CloudTrailStandIn, request_body: dict[str, Any], code: str
) -> None:
    with pytest.raises(ClientError) as raised:
        client().lookup_events(**request_body)
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_token_only_works_with_the_parameters_it_was_issued_for(
    standin: CloudTrailStandIn,
) -> None:
    _seed(standin, 60)
    first = client().lookup_events(StartTime=WINDOW["start"], EndTime=WINDOW["end"])
    with pytest.raises(ClientError) as raised:
        client().lookup_events(StartTime=T0, EndTime=WINDOW["end"], NextToken=first["NextToken"])
    assert raised.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_other_operations_are_unknown(standin: CloudTrailStandIn) -> None:
    with pytest.raises(ClientError) as raised:
        client().describe_trails()
    assert raised.value.response["Error"]["Code"] == "UnknownOperationException"


def test_a_third_request_within_a_second_is_throttled(standin: CloudTrailStandIn) -> None:
    plain = client(config=Config(retries={"total_max_attempts": 1}))
    plain.lookup_events()
    plain.lookup_events()
    with pytest.raises(ClientError) as raised:
        plain.lookup_events()
    assert raised.value.response["Error"] == {
        "Code": "ThrottlingException",
        "Message": "Rate exceeded",
    }
    assert standin.throttled[("", "us-east-1")] == 1


def test_throttles_are_retried_until_every_page_is_in(standin: CloudTrailStandIn) -> None:
    _seed(standin, 200)
    assert len(by_key()) == 200
    assert standin.throttled[("", "us-east-1")] >= 1


def test_the_token_bucket_keeps_a_region_under_the_limit(standin: CloudTrailStandIn) -> None:
    _seed(standin, 149)
    events = list(
        lookup_events(
            client(),
            attribute_key="AccessKeyId",
            attribute_value=KEY,
            bucket=TokenBucket(),
            **WINDOW,
        )
    )
    assert len(events) == 149
    assert standin.request_count("us-east-1") == 3
    assert standin.throttled.total() == 0


def test_server_errors_are_retried(standin: CloudTrailStandIn) -> None:
    _seed(standin, 2)
    standin.fail_region("us-east-1", times=2)
    assert len(by_key()) == 2
    assert standin.request_count("us-east-1") == 3


def test_access_denied_is_not_retried(standin: CloudTrailStandIn) -> None:
    standin.fail_region("us-east-1", status=400, code="AccessDeniedException", message="no")
    with pytest.raises(ClientError) as raised:
        by_key()
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert standin.request_count("us-east-1") == 1


def test_requests_are_accounted_to_the_signing_keys_account(standin: CloudTrailStandIn) -> None:
    standin.map_credentials("AKIAROLEINACCOUNTBBB", "210987654321")
    standin.add_records("us-east-1", [record("ListUsers", account="210987654321")], "210987654321")
    other = boto3.client(
        "cloudtrail",
        region_name="us-east-1",
        config=CLIENT_CONFIG,
        aws_access_key_id="AKIAROLEINACCOUNTBBB",
        aws_secret_access_key="x",
    )
    found = list(lookup_events(other, attribute_key="AccessKeyId", attribute_value=KEY, **WINDOW))
    assert len(found) == 1
    assert by_key() == []
    assert standin.request_count("us-east-1", "210987654321") == 1


def test_a_request_without_a_signature_is_refused(standin: CloudTrailStandIn) -> None:
    request = urllib.request.Request(
        standin.url,
        data=b"{}",
        method="POST",
        headers={
            "X-Amz-Target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
        },
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    assert raised.value.code == 403


# -- who owns an ASIA key --------------------------------------------------------------------

ROLE = f"arn:aws:iam::{ACCOUNT}:role/admin"


def test_the_origin_of_an_asia_key_is_its_role_session_and_minting_call(
    standin: CloudTrailStandIn,
) -> None:
    minting = assume_role(ASIA, role_arn=ROLE, when=T0)
    standin.add_records(
        "us-east-1",
        [
            record("ListUsers", key=KEY, when=T0 - timedelta(seconds=30)),
            minting,
            record(
                "CreateUser",
                key=ASIA,
                when=T0 + timedelta(minutes=3),
                identity=as_role(ASIA, ROLE, ACCOUNT),
            ),
        ],
    )
    origin = find_session_origin(client(), ASIA, **WINDOW)
    assert origin is not None
    assert (origin.role_arn, origin.session_name, origin.account_id) == (ROLE, "pivot", ACCOUNT)
    assert origin.minted_by_key == KEY
    assert origin.minting_event_id == minting["eventID"]
    assert origin.minted_at == T0


def test_the_origin_without_its_minting_call_still_names_the_role(
    standin: CloudTrailStandIn,
) -> None:
    standin.add_records(
        "us-east-1", [record("CreateUser", key=ASIA, identity=as_role(ASIA, ROLE, ACCOUNT))]
    )
    origin = find_session_origin(client(), ASIA, **WINDOW)
    assert origin is not None
    assert origin.role_arn == ROLE
    assert origin.minted_by_key == ""


def test_a_key_with_no_events_has_no_known_origin(standin: CloudTrailStandIn) -> None:
    assert find_session_origin(client(), ASIA, **WINDOW) is None
