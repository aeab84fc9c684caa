"""Benchmark: `keycheck analyze --key` against `zcat | jq`, as a responder would run either.

Three shapes, each printed as keycheck's speed over jq's (jq's time / keycheck's time,
both measured in this run, in turns): S3 deliveries (compact JSON, gzip'd, as CloudTrail
writes them) where 1 % of the records are the key's, the same where every record is, and
one small export (start-up dominates; there a Python program that only selects, with the
standard json, shows the most any Python program could reach against jq). jq only selects
the key's records; keycheck also follows the keys it minted, tags every event and builds
the findings, and redacts what it prints. Both run as
processes: the real `keycheck` entry point, with its default worker count (one process
below 64 MiB of files), with one process, and with one per core. Its bytecode is compiled
first, as `pip install` compiles it: a start must not be timed compiling our sources.
"""

from __future__ import annotations

import compileall
import gzip
import json
import random
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.analysis.sweep import cores
from tests.unit.analysis.support import REPO, T0, assume_role, record, stamp

FILES = 100
PER_FILE = 1000
KEY = "AKIAQWERTYUIOPASDFGH"
ASIA = "ASIAPOIUYTREWQLKJHGF"
JQ = shutil.which("jq") or "/usr/bin/jq"
KEYCHECK = Path(sys.executable).with_name("keycheck")
SMALL = REPO / "tests" / "fixtures" / "timeline" / "seed-recon.json"
RUNS = 5
# The least any Python program pays on the small file: start, stdlib json, select, print;
# what jq does, and no more. Its speed over jq's bounds what keycheck could reach there.
SELECT_ONLY = """import json, sys
key, *paths = sys.argv[1:]
for path in paths:
    for record in json.load(open(path)).get("Records", []):
        if (record.get("userIdentity") or {}).get("accessKeyId") == key:
            print(json.dumps(record, separators=(",", ":")))
"""
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


def write_deliveries(folder: Path, share: float, files: int = FILES) -> list[str]:
    """`files` gzip'd deliveries; `share` of the records are KEY's, and one key it minted."""
    rng = random.Random(7)
    keys = [f"AKIA{rng.randrange(16**16):016X}"[:20] for _ in range(50)]
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        records = []
        for i in range(PER_FILE):
            source, name = rng.choice(CALLS)
            key = KEY if rng.random() < share else rng.choice(keys)
            when = T0 + timedelta(seconds=number * PER_FILE + i)
            records.append(record(name, source, key=key, when=when, ip=f"203.0.113.{i % 250}"))
        if number == 0:
            records.append(assume_role(ASIA, when=T0))
        records.append(record("DeleteTrail", "cloudtrail", key=ASIA, when=T0 + timedelta(hours=1)))
        name = f"123456789012_CloudTrail_us-east-1_{stamp(T0)}_{number:04}.json.gz"
        body = json.dumps({"Records": records}, separators=(",", ":"))  # as CloudTrail writes it
        (folder / name).write_bytes(gzip.compress(body.encode(), 6))
    return sorted(str(p) for p in folder.glob("*.json.gz"))


def race(commands: dict[str, list[str]]) -> dict[str, tuple[float, bytes]]:
    """Each command's fastest of RUNS runs, taken in turns so that drift hits all alike."""
    timings: dict[str, list[float]] = {name: [] for name in commands}
    printed: dict[str, bytes] = {}
    for _ in range(RUNS):
        for name, command in commands.items():
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, check=True, cwd=REPO)
            timings[name].append(time.perf_counter() - started)
            printed[name] = done.stdout
    return {name: (min(timings[name]), printed[name]) for name in commands}


def compare(
    label: str, files: list[str], *, zipped: bool = True, floor: bool = False
) -> dict[str, float]:
    """Print keycheck's and jq's timings and speed ratios (jq's time over keycheck's); with
    `floor`, also those of the Python program that only selects."""
    analyze = [str(KEYCHECK), "analyze", *files, "--key", KEY, "--format", "json"]
    selector = f'.Records[]? | select(.userIdentity.accessKeyId == "{KEY}")'
    jq = [JQ, "-c", selector, *files]
    if zipped:
        jq = ["sh", "-c", f"zcat \"$@\" | {JQ} -c '{selector}'", "zcat-jq", *files]
    variants = {
        "keycheck": analyze,
        "keycheck --jobs 1": [*analyze, "--jobs", "1"],
        f"keycheck --jobs {cores()}": [*analyze, "--jobs", str(cores())],
    }
    least = {"python, select only": [sys.executable, "-c", SELECT_ONLY, KEY, *files]}
    results = race({**variants, "jq": jq, **(least if floor else {})})
    theirs, selected = results["jq"][0], len(results["jq"][1].splitlines())
    print(f"  {label}: jq {theirs:.2f} s ({selected} records)")
    for name in least if floor else ():
        ours, out = results[name]
        assert len(out.splitlines()) == selected
        print(f"    {name:<18} {ours:5.2f} s (the least Python pays)  /jq {theirs / ours:.2f}")
    ratios = {}
    for name in variants:
        ours, out = results[name]
        events = json.loads(out)["events"]
        assert {e["access_key_id"] for e in events} == {KEY, ASIA}
        assert sum(e["access_key_id"] == KEY for e in events) == selected
        ratios[name] = theirs / ours
        print(
            f"    {name:<18} {ours:5.2f} s ({len(events)} events)  keycheck/jq {ratios[name]:.2f}"
        )
    return ratios


@pytest.mark.bench
def test_analyze_against_jq(tmp_path: Path) -> None:
    if not Path(JQ).exists():
        pytest.skip(f"jq not found at {JQ}: install jq to compare against it")
    compileall.compile_dir(REPO / "bot", quiet=1)
    some = write_deliveries(tmp_path / "one-percent", 0.01)
    every = write_deliveries(tmp_path / "every-record", 1.0)
    print(
        f"\nkeycheck analyze --key vs zcat | jq: {FILES * PER_FILE:,} records in {FILES} .json.gz"
    )
    compare("1 % of records the key's", some)
    compare("every record the key's", every)
    compare(
        f"small file, start-up ({SMALL.name}, {SMALL.stat().st_size:,} B)",
        [str(SMALL)],
        zipped=False,
        floor=True,
    )
