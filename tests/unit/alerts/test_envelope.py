"""Unwrapping SQS and SNS bodies: what is inside, and which bodies are refused outright."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.alerts.envelope import DeliveryKind, unwrap
from bot.errors import BadEnvelope

MAX = 256 * 1024
TOPIC = "arn:aws:sns:us-east-1:123456789012:keycheck-alerts"


def test_sns_notification_gives_the_inner_event_with_the_sns_message_id(
    event_text: Callable[[str], str],
) -> None:
    [envelope] = unwrap(event_text("sns_eventbridge_getcalleridentity.json"), max_bytes=MAX)

    assert envelope.kind is DeliveryKind.SNS
    assert envelope.message_id == "a1b2c3d4-e5f6-5a7b-8c9d-0e1f2a3b4c5d"
    assert envelope.topic_arn == TOPIC
    assert envelope.payload["detail-type"] == "AWS API Call via CloudTrail"
    assert envelope.payload["detail"]["eventName"] == "GetCallerIdentity"


def test_alarm_subject_is_kept(event_text: Callable[[str], str]) -> None:
    [envelope] = unwrap(event_text("sns_cloudwatch_alarm_access_denied.json"), max_bytes=MAX)

    assert envelope.subject == 'ALARM: "keycheck-access-denied" in US East (N. Virginia)'
    assert envelope.payload["AlarmName"] == "keycheck-access-denied"


def test_raw_delivery_id_is_the_same_for_a_redelivered_body(
    event_text: Callable[[str], str],
) -> None:
    body = event_text("eventbridge_getcalleridentity.json")
    [first] = unwrap(body, max_bytes=MAX)
    [again] = unwrap(body.encode(), max_bytes=MAX)
    [other] = unwrap(event_text("eventbridge_unapproved_region.json"), max_bytes=MAX)

    assert first.kind is DeliveryKind.RAW
    assert first.message_id == again.message_id
    assert first.message_id.startswith("sha256:")
    assert other.message_id != first.message_id


def test_records_batch_is_one_envelope_per_record(event_text: Callable[[str], str]) -> None:
    envelopes = unwrap(event_text("cloudtrail_batch.json"), max_bytes=MAX)

    assert [e.payload["eventName"] for e in envelopes] == [
        "GetCallerIdentity",
        "ListUsers",
        "ListAccessKeys",
        "ListBuckets",
    ]
    assert len({e.message_id for e in envelopes}) == 4
    assert all(e.message_id.endswith(f"#{i}") for i, e in enumerate(envelopes))


def test_records_batch_inside_sns_is_split_too(load_event: Callable[[str], Any]) -> None:
    batch = load_event("cloudtrail_batch.json")
    wrapped = load_event("sns_text_message.json") | {"Message": json.dumps(batch)}

    envelopes = unwrap(json.dumps(wrapped), max_bytes=MAX)

    assert len(envelopes) == 4
    assert {e.kind for e in envelopes} == {DeliveryKind.SNS}
    assert envelopes[3].message_id == f"{wrapped['MessageId']}#3"


def test_plain_text_sns_message_is_kept_as_text(event_text: Callable[[str], str]) -> None:
    [envelope] = unwrap(event_text("sns_text_message.json"), max_bytes=MAX)

    assert envelope.payload == {}
    assert envelope.text == "Deploy of integrations-service v2.3.1 finished in us-east-1."


def test_subscription_confirmation_is_its_own_kind(event_text: Callable[[str], str]) -> None:
    [envelope] = unwrap(event_text("sns_subscription_confirmation.json"), max_bytes=MAX)

    assert envelope.kind is DeliveryKind.SNS_SUBSCRIPTION
    assert envelope.topic_arn == TOPIC
    assert envelope.payload["Type"] == "SubscriptionConfirmation"


def test_bare_json_list_is_a_batch_and_a_scalar_is_text() -> None:
    listed = unwrap('[{"a": 1}, 2]', max_bytes=MAX)
    [scalar] = unwrap("42", max_bytes=MAX)

    assert [e.payload for e in listed] == [{"a": 1}, {}]
    assert listed[1].text == "2"
    assert scalar.text == "42"


def test_body_at_the_limit_passes_and_one_byte_more_is_refused() -> None:
    body = json.dumps({"pad": ""})
    body = json.dumps({"pad": "x" * (100 - len(body))})
    assert len(body) == 100

    assert unwrap(body, max_bytes=100)
    with pytest.raises(BadEnvelope, match="101 bytes, over the 100-byte limit"):
        unwrap(body + " ", max_bytes=100)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"Type": "Notification", ', "not JSON"),
        ("", "empty"),
        ("   \n", "empty"),
        (b"\xff\xfe\x00garbage", "not JSON"),
        ("[" * 50_000 + "]" * 50_000, "not JSON"),
        ("<html>502 Bad Gateway</html>", "not JSON"),
    ],
)
def test_bodies_that_are_not_json_are_refused(body: str | bytes, message: str) -> None:
    with pytest.raises(BadEnvelope, match=message):
        unwrap(body, max_bytes=MAX)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"Message": None}, "Message"),
        ({"Message": {"AlarmName": "x"}}, "Message"),
        ({"MessageId": 12345}, "MessageId"),
        ({"TopicArn": ""}, "TopicArn"),
        ({"Timestamp": None}, "Timestamp"),
    ],
)
def test_sns_wrapper_missing_or_mistyped_fields_is_refused(
    load_event: Callable[[str], dict[str, Any]], change: dict[str, Any], named: str
) -> None:
    message = load_event("sns_eventbridge_getcalleridentity.json")
    message.update(change)
    message = {k: v for k, v in message.items() if v is not None}

    with pytest.raises(BadEnvelope, match=f"Malformed SNS Notification message: {named}"):
        unwrap(json.dumps(message), max_bytes=MAX)
