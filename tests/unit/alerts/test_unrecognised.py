"""What we cannot read is still stored and posted, titled with what it looked like."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.alerts.raw import MAX_RAW_CHARS
from bot.models import Alert, AlertKind, Severity

Parse = Callable[[str | dict[str, Any]], list[Alert]]
USER_KEY = "AKIAQXZ4RMBT7JWNC5LE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_security_hub_event_is_unrecognised_but_mentions_the_key(alerts_from: Parse) -> None:
    [alert] = alerts_from("securityhub_finding.json")

    assert alert.kind is AlertKind.UNRECOGNISED
    assert alert.title == (
        "Unrecognised alert: EventBridge event aws.securityhub / Security Hub Findings - Imported"
    )
    assert alert.severity is Severity.MEDIUM
    assert alert.account_id == "123456789012"
    assert alert.access_key_id == ""
    assert alert.details["key_ids_mentioned"] == USER_KEY
    assert json.loads(alert.raw)["detail-type"] == "Security Hub Findings - Imported"


def test_cloudtrail_log_delivery_notice(alerts_from: Parse) -> None:
    [alert] = alerts_from("cloudtrail_log_delivery.json")

    assert alert.title == (
        "Unrecognised alert: CloudTrail log delivery notice for bucket "
        "org-cloudtrail-logs-123456789012"
    )


def test_subscription_confirmation_through_sqs_is_shown_without_its_token(
    alerts_from: Parse,
) -> None:
    [alert] = alerts_from("sns_subscription_confirmation.json")

    assert alert.kind is AlertKind.UNRECOGNISED
    assert alert.title == (
        "Unrecognised alert: SNS SubscriptionConfirmation for "
        "arn:aws:sns:us-east-1:123456789012:keycheck-alerts"
    )
    assert "2336412f37fb687f" not in alert.raw


def test_plain_text_message(alerts_from: Parse) -> None:
    [alert] = alerts_from("sns_text_message.json")

    assert alert.title == (
        "Unrecognised alert: text message “Deploy of integrations-service v2.3.1 finished in "
        "us-east-1.”"
    )
    assert alert.raw == "Deploy of integrations-service v2.3.1 finished in us-east-1."
    assert alert.dedup_key == "unrecognised:0f1e2d3c-4b5a-5968-8776-5a4b3c2d1e0f"


def test_redelivery_of_an_unknown_raw_body_is_one_alert(alerts_from: Parse) -> None:
    [first] = alerts_from({"hello": "world"})
    [again] = alerts_from({"hello": "world"})
    [other] = alerts_from({"hello": "there"})

    assert first.dedup_key == again.dedup_key != other.dedup_key
    assert first.title == "Unrecognised alert: JSON object with keys hello"


def test_raw_is_capped_and_secrets_are_scrubbed(alerts_from: Parse) -> None:
    payload = {
        "note": f"pasted by mistake: {SECRET}",
        "SecretAccessKey": "whatever-it-is",
        "Password": "hunter2-hunter2",
        "padding": ["x" * 1000] * 60,
    }

    [alert] = alerts_from(payload)

    assert SECRET not in alert.raw
    assert "whatever-it-is" not in alert.raw
    assert "hunter2" not in alert.raw
    assert len(alert.raw) < MAX_RAW_CHARS + 100
    assert alert.raw.endswith("characters]")


def test_empty_object_and_empty_batch(alerts_from: Parse) -> None:
    [empty] = alerts_from({})
    [batch] = alerts_from({"Records": []})

    assert empty.title == "Unrecognised alert: empty JSON object"
    assert batch.title == "Unrecognised alert: a batch of 0 records we could not read"
