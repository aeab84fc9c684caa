"""Benchmark: `keycheck analyze --key` over a large generated log set, against jq.

Prints events per second for both, over the same files: jq only selects the key's records
(`.Records[] | select(.userIdentity.accessKeyId == KEY)`); keycheck also follows the keys
it minted, tags every event and builds the findings. Both run as processes, as a
responder would run them.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.unit.analysis.support import REPO, T0, assume_role, record, stamp

FILES = 100
PER_FILE = 1000
KEY = "AKIAQWERTYUIOPASDFGH"
ASIA = "ASIAPOIUYTREWQLKJHGF"
JQ = shutil.which("jq") or "/usr/bin/jq"
CALLS = [
    ("s3", "GetObject"),
    ("ec2", "DescribeInstances"),
    ("iam", "ListUsers"),
    ("sts", "GetCallerIdentity"),
    ("kms", "Decrypt"),
    ("lambda", "Invoke"),
    ("iam", "CreateUser"),
    ("ec2", "RunInstances"),
    ("cloudtrail", "StopLogging"),
]


def _write_log_set(folder: Path) -> int:
    """FILES delivery files; one record in a hundred is the leaked key's, one key it minted."""
    rng = random.Random(7)
    keys = [f"AKIA{rng.randrange(16**16):016X}"[:20] for _ in range(50)]
    total = 0
    for number in range(FILES):
        records = []
        for i in range(PER_FILE):
            source, name = rng.choice(CALLS)
            key = KEY if rng.random() < 0.01 else rng.choice(keys)
            when = T0 + timedelta(seconds=number * PER_FILE + i)
            records.append(record(name, source, key=key, when=when, ip=f"203.0.113.{i % 250}"))
        if number == 0:
            records.append(assume_role(ASIA, when=T0))
        records.append(record("DeleteTrail", "cloudtrail", key=ASIA, when=T0 + timedelta(hours=1)))
        total += len(records)
        (folder / f"123456789012_CloudTrail_us-east-1_{stamp(T0)}_{number:04}.json").write_text(
            json.dumps({"Records": records})
        )
    return total


def _timed(command: list[str]) -> tuple[float, bytes]:
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, check=True, cwd=REPO)
    return time.monotonic() - started, done.stdout


@pytest.mark.bench
def test_analyze_throughput_against_jq(tmp_path: Path) -> None:
    if not Path(JQ).exists():
        pytest.skip(f"jq not found at {JQ}: install jq to compare against it")
    total = _write_log_set(tmp_path)
    files = sorted(str(p) for p in tmp_path.glob("*.json"))

    ours, out = _timed(
        [sys.executable, "-m", "bot", "analyze", *files, "--key", KEY, "--format", "json"]
    )
    selector = f'.Records[] | select(.userIdentity.accessKeyId == "{KEY}")'
    theirs, selected = _timed([JQ, "-c", selector, *files])

    body = json.loads(out)
    print(
        f"\nanalyze throughput: {total} records in {FILES} files "
        f"({sum(Path(f).stat().st_size for f in files) / 1e6:.0f} MB)\n"
        f"  keycheck analyze --key  {ours:6.2f} s  {total / ours:10,.0f} events/s  "
        f"({len(body['events'])} events kept, {len(body['findings'])} findings, "
        f"{len(body['keys'])} minted keys followed)\n"
        f"  jq select               {theirs:6.2f} s  {total / theirs:10,.0f} events/s  "
        f"({len(selected.splitlines())} records selected)\n"
        f"  keycheck / jq           {theirs / ours:.2f} of jq's speed"
    )
    assert body["keys"] == [{"access_key_id": ASIA, "derived_from": KEY}]
    assert len(body["events"]) > len(selected.splitlines())
