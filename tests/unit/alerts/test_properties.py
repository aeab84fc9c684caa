"""Property tests: whatever arrives, parsing gives alerts that store and read back, or a refusal.

Any JSON value or byte string in gives Alerts (an UNRECOGNISED one for what we cannot
read) or a clear BadEnvelope; never another exception, and never an alert the store
keeps but cannot read back. Example counts stay modest to keep the suite fast.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.alerts.parse import parse_body
from bot.errors import BadEnvelope
from bot.models import Alert
from bot.store import SqliteStore
from tests.support.json_values import DEEP, JSON, TEXT

MAX = 256 * 1024
TOPIC = "arn:aws:sns:us-east-1:123456789012:keycheck-alerts"
EXAMPLES = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIELD = JSON | DEEP


def shaped(
    usual: dict[str, Any], keep: tuple[str, ...], **inner: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """A known envelope: the `keep` keys as they are, every other key its usual value, an
    `inner` strategy's, or anything at all, or missing."""
    optional = {k: inner.get(k, st.just(v)) | FIELD for k, v in usual.items() if k not in keep}
    fixed = {k: st.just(usual[k]) for k in keep}
    return st.fixed_dictionaries(fixed, optional=optional)


RECORD = shaped(
    {
        "eventName": "GetCallerIdentity",
        "eventSource": "sts.amazonaws.com",
        "eventID": "0d9c6bd7-4c2e-4b8e-9a0e-7d5c2f1e3a4b",
        "eventTime": "2026-05-21T12:11:58Z",
        "userIdentity": {"accessKeyId": "AKIAQWERTYUIOPASDFGH", "accountId": "123456789012"},
        "sourceIPAddress": "198.51.100.50",
        "requestParameters": {},
        "responseElements": {},
    },
    ("eventName", "eventSource"),
)
SHAPES = st.one_of(
    shaped(
        {"detail-type": "AWS API Call via CloudTrail", "detail": {}, "time": "", "account": ""},
        ("detail-type",),
        detail=RECORD,
    ),
    shaped(
        {"detail-type": "GuardDuty Finding", "detail": {"id": "f", "type": "T"}}, ("detail-type",)
    ),
    shaped(
        {"source": "aws.health", "detail-type": "AWS Health Event", "detail": {}},
        ("source", "detail-type"),
        detail=shaped(
            {"eventTypeCode": "AWS_RISK_CREDENTIALS_EXPOSED", "eventDescription": []}, ()
        ),
    ),
    shaped(
        {
            "AlarmName": "a",
            "NewStateValue": "ALARM",
            "StateChangeTime": "2026-05-21T12:00:00Z",
            "Trigger": {},
        },
        ("AlarmName", "NewStateValue"),
        Trigger=shaped({"MetricName": "RootUsage", "Namespace": "keycheck", "Period": 300}, ()),
    ),
    RECORD,
    st.builds(lambda r: {"Records": r}, st.lists(RECORD | JSON | DEEP, max_size=3)),
)


def sns(inner: Any) -> Any:
    """An SNS notification as SQS gets it without raw delivery, the inner JSON as a string."""
    return {
        "Type": "Notification",
        "MessageId": "m-1",
        "TopicArn": TOPIC,
        "Message": inner if isinstance(inner, str) else json.dumps(inner),
        "Timestamp": "2026-05-21T12:12:03.412Z",
    }


def alerts_or_refusal(body: str | bytes) -> list[Alert]:
    try:
        return parse_body(body, max_bytes=MAX)
    except BadEnvelope:
        return []


def assert_stored_and_read_back(alerts: list[Alert]) -> None:
    store = SqliteStore(":memory:")
    for alert in alerts:
        store.record_alert(alert)
    back = {a.dedup_key for a, _ in store.unposted_alerts()}
    assert back == {a.dedup_key for a in alerts}
    assert "alerts.quarantined" not in store.counters()
    store.close()


@EXAMPLES
@given(JSON | DEEP)
def test_any_json_value_gives_alerts_that_read_back_or_a_refusal(value: Any) -> None:
    assert_stored_and_read_back(alerts_or_refusal(json.dumps(value)))


@EXAMPLES
@given(SHAPES)
def test_any_known_shape_with_any_fields_gives_alerts_that_read_back(payload: Any) -> None:
    alerts = parse_body(json.dumps(payload), max_bytes=MAX)
    assert alerts
    assert_stored_and_read_back(alerts)


@EXAMPLES
@given(SHAPES | JSON | DEEP | TEXT)
def test_any_message_inside_sns_gives_alerts_that_read_back(inner: Any) -> None:
    alerts = parse_body(json.dumps(sns(inner)), max_bytes=MAX)
    assert alerts
    assert_stored_and_read_back(alerts)


@EXAMPLES
@given(st.binary(max_size=200) | st.builds(lambda n: b"[" * n, st.integers(0, 5000)))
def test_any_byte_string_gives_alerts_that_read_back_or_a_refusal(body: bytes) -> None:
    assert_stored_and_read_back(alerts_or_refusal(body))
