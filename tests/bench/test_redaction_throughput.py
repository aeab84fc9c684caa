"""Benchmark: the one redaction, on what the sinks write, against the patterns run plainly.

Every log line, Slack text, file and stored row passes through `redact_secrets`. Printed
for each document: its size, the redaction's speed, that speed over the plain way's (each
pattern's `sub` over the whole text, in turn: what the quick way must equal), and the
redaction's time over the time to write the document (JSON: msgspec's encoding, indented;
CSV: `timeline_csv`), that is what redacting adds to writing the file. The documents hold
no secret (the usual case): the analyze JSON of 50,000 events, a delivery of 20,000
CloudTrail records with user agents and parameters (the evidence a timeline keeps), its
CSV, and the texts of a card.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from bot.analysis.context import NoSettings, analysis_config
from bot.analysis.export import timeline_csv, write_analysis_json
from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.domain.redact import redact_bytes, redact_secrets
from tests.unit.analysis.support import KEY, T0, record
from tests.unit.domain.test_redact_anchored import plain

RUNS = 3
CALLS = [
    ("s3", "GetObject", {"bucketName": "prod-data", "key": "exports/2026/11/customers.csv"}),
    ("ec2", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
    ("iam", "ListUsers", None),
    ("sts", "GetCallerIdentity", None),
    ("secretsmanager", "GetSecretValue", {"secretId": "prod/db/password"}),
    ("sts", "GetSessionToken", {"durationSeconds": 3600}),
]
AGENTS = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/s3.cp",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0",
]


def records(count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        source, name, params = CALLS[i % len(CALLS)]
        out.append(
            record(
                name,
                source,
                key=KEY,
                when=T0 + timedelta(seconds=i),
                ip=f"203.0.113.{i % 250}",
                userAgent=AGENTS[i % len(AGENTS)],
                requestParameters=params,
                eventID=f"{i:08x}-5f2b-4c1d-9e8a-0123456789ab",
            )
        )
    return out


def analyze_json(count: int) -> bytes:
    result = analyze((event_from_record(r) for r in records(count)), analysis_config(NoSettings()))
    buffer = io.BytesIO()
    write_analysis_json(result, buffer)
    return buffer.getvalue()


def fastest(work: Callable[[], object]) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def indent(data: bytes) -> Callable[[], object]:
    """Writing the JSON document anew: msgspec's encoding, indented."""
    document = msgspec.json.decode(data)
    return lambda: msgspec.json.format(msgspec.json.encode(document), indent=1)


def compare(label: str, data: bytes, write: Callable[[], object]) -> None:
    text = data.decode()
    ours = fastest(lambda: redact_bytes(data))
    theirs = fastest(lambda: plain(text).encode())
    encoding = fastest(write)
    assert redact_bytes(data) == plain(text).encode()
    print(
        f"  {label:<44} {len(data) / 1e6:6.1f} MB  {len(data) / 1e6 / ours:6.1f} MB/s  "
        f"quick/plain {theirs / ours:5.1f}  redact/encode {ours / encoding:5.2f}"
    )


@pytest.mark.bench
def test_redaction_against_the_plain_patterns() -> None:
    print("\nredaction: speed, quick over plain, and redacting's time over encoding's")
    rows = analyze_json(50_000)
    compare("analyze JSON, 50,000 events", rows, indent(rows))
    delivery = records(20_000)
    evidence = json.dumps({"Records": delivery}).encode()
    compare("delivery, 20,000 records", evidence, indent(evidence))
    result = analyze((event_from_record(r) for r in delivery), analysis_config(NoSettings()))
    compare("timeline CSV, 20,000 events", timeline_csv(result), lambda: timeline_csv(result))
    texts = [
        f"*Deactivate* `{KEY}` for <@U0123ABCD>: leaked in a public repository",
        "GetCallerIdentity, ListUsers, ListRoles from 203.0.113.7 (Frankfurt, DE)",
        "Contain all",
    ] * 1000
    ours = fastest(lambda: [redact_secrets(t) for t in texts])
    theirs = fastest(lambda: [plain(t) for t in texts])
    print(
        f"  a card's texts, {len(texts):,} short strings: {ours / len(texts) * 1e6:.2f} µs "
        f"each, quick/plain {theirs / ours:.1f}"
    )
