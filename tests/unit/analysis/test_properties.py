"""Property tests for the parsers the alert tests do not reach: CloudTrail files, their
records, LookupEvents items, key ids in free text, and the redaction every sink applies.

Whatever comes in: a result or a clear refusal (UnreadableTrail), never another exception.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.alerts.keyid import find
from bot.analysis.records import event_from_record, record_from_lookup
from bot.analysis.scan import UnreadableTrail, scan_events, scan_records
from bot.domain.keys import KEY_ID
from bot.domain.redact import redact_secrets
from tests.support.json_values import DEEP, JSON, TEXT

EXAMPLES = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RECORD = st.fixed_dictionaries(
    {},
    optional={
        name: JSON | TEXT
        for name in (
            "eventID",
            "eventTime",
            "eventName",
            "eventSource",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "userIdentity",
            "requestParameters",
            "responseElements",
            "additionalEventData",
            "errorCode",
            "readOnly",
        )
    },
)
FILES = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda r: json.dumps({"Records": r}).encode(), st.lists(RECORD | JSON, max_size=4)),
    st.builds(lambda r: "\n".join(json.dumps(x) for x in r).encode(), st.lists(RECORD, max_size=4)),
    st.builds(lambda v: json.dumps(v).encode(), JSON | DEEP),
)


def scanned_or_refused(blob: bytes) -> list[dict[str, Any]]:
    try:
        return list(scan_records(blob, "fuzz.json").records)
    except UnreadableTrail:
        return []


@EXAMPLES
@example(b"\x1f\x8b", False)  # a truncated .gz once escaped as EOFError
@example(b"7n\t", False)  # and a line msgspec splits but cannot decode, as DecodeError
@given(FILES, st.booleans())
def test_any_file_gives_records_or_a_refusal(blob: bytes, zipped: bool) -> None:
    records = scanned_or_refused(gzip.compress(blob) if zipped else blob)
    assert all(isinstance(record, dict) for record in records)
    events = [] if not records else scan_events(blob, "fuzz.json").events
    assert events == [event_from_record(record) for record in records]


@EXAMPLES
@example({"eventTime": 5.4e16})  # an epoch past year 9999 once escaped as ValueError
@given(RECORD)
def test_any_record_flattens_to_an_event(record: dict[str, Any]) -> None:
    event = event_from_record(record)
    assert event.event_id


@EXAMPLES
@given(st.fixed_dictionaries({}, optional={"CloudTrailEvent": TEXT | JSON, "EventId": TEXT}))
def test_any_lookup_item_gives_a_record(item: dict[str, Any]) -> None:
    assert isinstance(record_from_lookup(item), dict)


@EXAMPLES
@given(st.lists(TEXT | st.text(alphabet="AKIASQWERTYUIOP234567/ ", max_size=60), max_size=5))
def test_key_ids_found_in_any_text_are_valid_and_survive_redaction(texts: list[str]) -> None:
    keys, notes = find(texts)
    assert all(KEY_ID.match(key) for key in keys)
    assert all(isinstance(note, str) for note in notes)
    for key in keys:
        assert key in redact_secrets(f"key {key} used")
