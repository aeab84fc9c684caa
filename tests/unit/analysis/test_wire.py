"""The delivery records' quick way to an event gives what the general way gives.

The quick way reads the few fields an event has straight from the raw record; any record
it cannot read exactly (it says so with None) takes the general way. Either way the same
event, or one record would read differently as a delivery than as an export.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.analysis.export import iso
from bot.analysis.records import UNDATED, event_from_record
from bot.analysis.scan import UnreadableTrail, scan_events, scan_records
from bot.analysis.wire import wire_event
from tests.conftest import SHARED_DATA
from tests.support.json_values import JSON, TEXT
from tests.unit.analysis.support import KEY, record

# CloudTrail's own, a shipper's, RFC 3339's lower case, an offset, and what neither reads.
TIME_TEXTS = [
    "2026-05-21T12:11:58Z",
    "2026-05-21T12:11:58.123Z",
    "2026-05-21T12:11:58",
    "2026-05-21t12:11:58z",
    "2026-05-21T14:11:58+02:00",
    "2026-05-21",
    "2026-05-21T12:11",
    "yesterday",
]
# Well-typed records, each maybe spoilt in one field: a record of random values would
# almost never be read the quick way, and the agreement of the two ways would go untested.
TIMES = st.sampled_from(TIME_TEXTS)
WORDS = st.sampled_from(["", "iam.amazonaws.com", "AssumeRole", KEY]) | st.text(max_size=8)
OBJECT = st.dictionaries(st.text(max_size=4), WORDS | st.integers() | st.booleans(), max_size=3)
SESSION = st.fixed_dictionaries(
    {},
    optional={
        "attributes": st.fixed_dictionaries(
            {}, optional={"mfaAuthenticated": st.sampled_from(["true", "false", "TRUE"])}
        ),
        "sessionIssuer": st.fixed_dictionaries({}, optional={"userName": WORDS}),
    },
)
IDENTITY = st.fixed_dictionaries(
    {"accessKeyId": st.just(KEY) | WORDS},
    optional={
        **{name: WORDS for name in ("type", "arn", "accountId", "userName", "invokedBy")},
        "sessionContext": SESSION,
    },
)
TEXT_FIELDS = ["awsRegion", "eventSource", "eventName", "eventType", "sourceIPAddress"]
TEXT_FIELDS += ["userAgent", "errorCode", "errorMessage", "recipientAccountId"]
WELL_TYPED = st.fixed_dictionaries(
    {"eventID": WORDS, "userIdentity": IDENTITY},
    optional={
        "eventTime": TIMES,
        "@timestamp": TIMES,
        "readOnly": st.booleans(),
        "requestParameters": OBJECT | st.none(),
        "responseElements": OBJECT
        | st.none()
        | st.fixed_dictionaries({"credentials": st.fixed_dictionaries({"accessKeyId": WORDS})}),
        "additionalEventData": OBJECT
        | st.fixed_dictionaries({"MFAUsed": st.sampled_from(["Yes", "No"])}),
        **{name: WORDS for name in TEXT_FIELDS},
    },
)
SPOILT_FIELDS = [*TEXT_FIELDS, "eventID", "eventTime", "readOnly", "userIdentity"]
SPOILT_FIELDS += ["requestParameters", "responseElements", "additionalEventData"]


def _spoilt(document: dict[str, Any], name: str, value: object) -> dict[str, Any]:
    if name == "userIdentity":
        return {**document, name: {**document[name], "accesskeyid": value}}
    return {**document, name: value}


WIRE_RECORD = WELL_TYPED | st.builds(
    _spoilt, WELL_TYPED, st.sampled_from(SPOILT_FIELDS), JSON | TEXT
)


def same_either_way(document: dict[str, Any]) -> bool:
    """True when the quick way read it (and agreed); False when it left it to the general way."""
    raw = json.dumps(document).encode()
    quick = wire_event(raw)
    if quick is not None:
        assert quick == event_from_record(json.loads(raw))
    return quick is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(
    {"eventID": "1", "userIdentity": {"accessKeyId": KEY}, "eventTime": "2026-05-21t12:11:58z"}
)
@example({"eventID": "1", "userIdentity": {"accessKeyId": KEY}, "awsRegion": None})
@example({"eventID": "1", "userIdentity": {"accesskeyid": KEY}})
@given(WIRE_RECORD)
def test_any_record_reads_the_same_either_way(document: dict[str, Any]) -> None:
    same_either_way(document)


def test_a_typical_delivery_record_takes_the_quick_way() -> None:
    assert same_either_way(record("GetCallerIdentity", "sts", key=KEY))


def test_the_cases_the_quick_way_leaves_are_read_the_general_way() -> None:
    typical = record("GetCallerIdentity", "sts", key=KEY)
    odd = [
        {**typical, "eventID": ""},  # given an id from its content
        {**typical, "eventTime": 1779365518},  # epoch seconds
        {**typical, "userIdentity": {"accesskeyid": KEY}},  # an exporter's lower case
        {**typical, "readOnly": "true"},
        {key: value for key, value in typical.items() if key != "eventTime"},  # undated
    ]
    blob = json.dumps({"Records": odd}).encode()
    assert not any(same_either_way(document) for document in odd)
    expected = [event_from_record(document) for document in scan_records(blob).records]
    assert scan_events(blob).events == expected
    assert [event.access_key_id for event in expected] == [KEY] * 5
    assert scan_events(blob).events[-1].time is UNDATED


def _trail_files() -> list[Path]:
    return sorted(p for p in SHARED_DATA.rglob("*") if p.suffix in {".json", ".jsonl", ".gz"})


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="third-party data sits beside the checkout")
def test_every_third_party_record_reads_the_same_either_way() -> None:
    quick = general = 0
    for path in _trail_files():
        try:
            records = scan_records(path.read_bytes(), path.name).records
        except UnreadableTrail:
            continue
        for document in records:
            if same_either_way(document):
                quick += 1
            else:
                general += 1
    assert quick > 2 * general, (quick, general)  # most take the quick way, and agree


@pytest.mark.parametrize("written", ["2026-05-21T12:00:00+02:00", "2026-05-21T06:00:00-04:00"])
def test_a_time_with_an_offset_is_read_in_utc_either_way(written: str) -> None:
    """A shipper may write local time with its offset; the timeline speaks UTC."""
    document = record("ListUsers", "iam", eventTime=written)
    quick, general = wire_event(json.dumps(document).encode()), event_from_record(document)
    assert quick is not None
    assert quick.time == general.time == datetime(2026, 5, 21, 10, tzinfo=UTC)
    assert iso(quick.time) == iso(general.time) == "2026-05-21T10:00:00Z"
