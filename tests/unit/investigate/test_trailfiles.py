"""CloudTrail records from every shape they come in: S3 deliveries, LookupEvents, JSON Lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import boto3
import pytest

from bot.errors import KeycheckError
from bot.investigate.trailfiles import UnreadableTrail, iter_records
from tests.conftest import SHARED_DATA
from tests.unit.analysis.support import record

RECORDS = [record("ListUsers"), record("GetUser"), record("CreateUser")]


def _names(sources: list[str], **kwargs: object) -> list[str]:
    return [str(r["eventName"]) for r in iter_records(sources, **kwargs)]  # type: ignore[arg-type]


def test_s3_delivery_files_plain_and_gzipped(tmp_path: Path) -> None:
    body = json.dumps({"Records": RECORDS}).encode()
    (tmp_path / "plain.json").write_bytes(body)
    (tmp_path / "zipped.json.gz").write_bytes(gzip.compress(body))
    assert (
        _names([str(tmp_path / "plain.json"), str(tmp_path / "zipped.json.gz")])
        == ["ListUsers", "GetUser", "CreateUser"] * 2
    )


def test_gzip_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    (tmp_path / "misnamed.json").write_bytes(
        gzip.compress(json.dumps({"Records": RECORDS}).encode())
    )
    assert len(_names([str(tmp_path / "misnamed.json")])) == 3


def test_lookup_events_output_as_the_cli_prints_it() -> None:
    sample = SHARED_DATA / "aws-docs-samples" / "lookup_events_response_DERIVED.json"
    records = list(iter_records([str(sample)]))
    assert len(records) == 5
    assert records[0]["eventName"] == "AssumeRole"
    assert records[0]["responseElements"]["credentials"]["accessKeyId"] == "ASIAWHOJDLGPOEXAMPLE"


def test_json_lines_of_records_and_of_lookup_items(tmp_path: Path) -> None:
    lines = [json.dumps(RECORDS[0]), "", json.dumps({"CloudTrailEvent": json.dumps(RECORDS[1])})]
    (tmp_path / "events.jsonl").write_text("\n".join(lines))
    assert _names([str(tmp_path / "events.jsonl")]) == ["ListUsers", "GetUser"]


def test_a_json_array_of_records_as_stratus_publishes_them() -> None:
    path = (
        SHARED_DATA
        / "stratus-red-team-detonation-logs"
        / "aws.persistence.iam-create-admin-user.json"
    )
    assert sorted(_names([str(path)])) == ["AttachUserPolicy", "CreateAccessKey", "CreateUser"]


def test_directories_are_read_recursively_and_digests_skipped(tmp_path: Path) -> None:
    day = tmp_path / "AWSLogs" / "123456789012" / "CloudTrail" / "us-east-1" / "2026" / "05" / "21"
    day.mkdir(parents=True)
    (day / "123456789012_CloudTrail_us-east-1_20260521T1215Z_abc.json.gz").write_bytes(
        gzip.compress(json.dumps({"Records": RECORDS}).encode())
    )
    digest = tmp_path / "AWSLogs" / "123456789012" / "CloudTrail-Digest"
    digest.mkdir(parents=True)
    (digest / "digest.json.gz").write_bytes(gzip.compress(b'{"digestStartTime": "x"}'))
    (tmp_path / "README.txt").write_text("not a log")
    assert len(_names([str(tmp_path)])) == 3


def test_a_line_that_is_not_json_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.jsonl").write_text(json.dumps(RECORDS[0]) + "\n{oops\n")
    with pytest.raises(UnreadableTrail, match=r"broken.jsonl: line 2"):
        _names([str(tmp_path / "broken.jsonl")])


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KeycheckError, match="no such file"):
        _names([str(tmp_path / "absent.json")])


def test_an_s3_prefix_as_cloudtrail_delivers_it(aws: boto3.Session) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="org-trail")
    prefix = "AWSLogs/o-abc/123456789012/CloudTrail/us-east-1/2026/05/21/"
    for number in range(3):
        s3.put_object(
            Bucket="org-trail",
            Key=f"{prefix}file-{number}.json.gz",
            Body=gzip.compress(json.dumps({"Records": RECORDS}).encode()),
        )
    s3.put_object(
        Bucket="org-trail", Key="AWSLogs/o-abc/123456789012/CloudTrail-Digest/d.json.gz", Body=b"{}"
    )
    names = _names(["s3://org-trail/AWSLogs/o-abc/"], s3_client=lambda: aws.client("s3"))
    assert len(names) == 9


def test_s3_listing_follows_continuation_tokens(aws: boto3.Session) -> None:
    from bot.aws.cloudtrail import object_keys

    s3 = aws.client("s3")
    s3.create_bucket(Bucket="many")
    for number in range(5):
        s3.put_object(Bucket="many", Key=f"logs/{number}.json", Body=b"{}")
    keys = list(object_keys(s3, "many", "logs/", page_size=2))
    assert keys == [f"logs/{number}.json" for number in range(5)]


def test_s3_sources_without_credentials_say_so() -> None:
    with pytest.raises(KeycheckError, match="S3 sources need AWS credentials"):
        _names(["s3://bucket/prefix"])
