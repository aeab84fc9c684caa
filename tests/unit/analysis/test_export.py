"""The files a responder downloads: DESIGN's JSON, the evidence JSON and a safe CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import timedelta

import msgspec
import pytest

from bot.analysis.export import (
    analysis_dict,
    indented,
    timeline_csv,
    timeline_json,
    write_analysis_json,
)
from bot.analysis.pipeline import analyze
from bot.analysis.report import RegionResult, TimelineReport
from bot.analysis.tagging import AnalysisConfig
from tests.unit.analysis.support import KEY, T0, assume_role, event, event_from_record

TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"


def _report() -> TimelineReport:
    events = [
        event("GetCallerIdentity", "sts"),
        event_from_record(assume_role("ASIABBBBBBBBBBBBBBBB", when=T0 + timedelta(seconds=5))),
        event(
            "CreateUser",
            key="ASIABBBBBBBBBBBBBBBB",
            when=T0 + timedelta(seconds=9),
            userAgent='=HYPERLINK("http://x")',
        ),
    ]
    result = analyze(events, AnalysisConfig(), keys=[KEY])
    return TimelineReport(
        **{name: getattr(result, name) for name in type(result).__dataclass_fields__},
        key_id=KEY,
        start=T0 - timedelta(days=30),
        end=T0 + timedelta(hours=1),
        lookups=[
            RegionResult(region="us-east-1", key_id=KEY, events=2),
            RegionResult(region="ap-south-1", key_id=KEY, error="AccessDenied"),
        ],
    )


def test_the_analyze_json_has_exactly_the_documented_shape() -> None:
    body = analysis_dict(_report())
    assert set(body) == {"events", "findings", "keys"}
    assert set(body["events"][0]) == {
        "event_id",
        "time",
        "region",
        "event_source",
        "event_name",
        "access_key_id",
        "source_ip",
        "error_code",
        "tags",
    }
    assert body["events"][0]["time"] == "2026-05-21T12:11:58Z"
    assert set(body["findings"][0]) == {"rule", "technique", "severity", "event_ids", "summary"}
    assert body["keys"] == [
        {"access_key_id": "ASIABBBBBBBBBBBBBBBB", "derived_from": KEY, "how": "AssumeRole"}
    ]


def test_session_tokens_never_reach_the_files() -> None:
    report = _report()
    assert TOKEN not in timeline_json(report).decode()
    assert TOKEN not in timeline_csv(report).decode()
    assert "sessionToken" not in msgspec.json.encode(report).decode()


def test_the_evidence_json_records_every_lookup_including_the_failed_ones() -> None:
    body = json.loads(timeline_json(_report()))
    assert body["key_id"] == KEY
    assert [(x["region"], x["error"]) for x in body["lookups"]] == [
        ("us-east-1", ""),
        ("ap-south-1", "AccessDenied"),
    ]
    assert body["events"][2]["chain"] == [KEY, "ASIABBBBBBBBBBBBBBBB"]


def test_the_csv_has_a_row_per_event_and_defuses_spreadsheet_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(timeline_csv(_report()).decode())))
    assert [row["event_name"] for row in rows] == ["GetCallerIdentity", "AssumeRole", "CreateUser"]
    assert rows[2]["user_agent"].startswith("'=")
    assert rows[2]["tags"] == "persistence.user"
    assert rows[2]["chain"] == f"{KEY} > ASIABBBBBBBBBBBBBBBB"


def test_credentials_of_every_shape_lose_their_secrets_but_keep_the_key_id() -> None:
    returned = {
        "credentials": {
            "accessKeyId": "ASIABBBBBBBBBBBBBBBB",
            "secretKey": "s1",
            "sessionToken": "t1",
        },
        "roleCredentials": {"accessKeyId": "ASIACCCCCCCCCCCCCCCC", "secretAccessKey": "s2"},
        "accessKey": {
            "accessKeyId": "AKIADDDDDDDDDDDDDDDD",
            "SecretAccessKey": "s3",
            "status": "Active",
        },
    }
    scrubbed = event("GetCredentialsForIdentity", "cognito-identity", responseElements=returned)
    assert scrubbed.response_elements == {
        "credentials": {"accessKeyId": "ASIABBBBBBBBBBBBBBBB"},
        "roleCredentials": {"accessKeyId": "ASIACCCCCCCCCCCCCCCC"},
        "accessKey": {"accessKeyId": "AKIADDDDDDDDDDDDDDDD", "status": "Active"},
    }


def test_the_evidence_file_is_written_as_json_dumps_would_write_it() -> None:
    report = _report()
    report.events[0].request_parameters = {"note": "café ☕", "size": 2**70, "nested": [1.5, None]}
    written = timeline_json(report)
    assert written == json.dumps(json.loads(written), indent=1, ensure_ascii=False).encode()
    assert json.loads(written)["events"][0]["request_parameters"]["size"] == 2**70


@pytest.mark.parametrize("events", [0, 1, 2, 3, 7])
def test_the_analyze_json_written_in_slices_is_the_whole_object_indented(events: int) -> None:
    report = _report()
    calls = [event(f"List{n}", "iam", when=T0 + timedelta(seconds=n)) for n in range(events)]
    result = replace(report, events=calls)
    undated = {"undated": {"records": 1, "event_ids": ["x"]}}
    for more in (None, undated):
        out = io.BytesIO()
        write_analysis_json(result, out, more, at_once=2)
        assert out.getvalue() == indented({**analysis_dict(result), **(more or {})})
