"""Benchmark: `keycheck analyze --key` on a gigabyte of CloudTrail JSON: time and peak memory.

1,700 S3 deliveries of 1,000 records each (about 1 GB of JSON; 60 to 75 MB gzip'd), in the
two shapes of the jq benchmark: 1 % of the records the key's, and every one. Each command
runs once, as a process, writing to a file; its peak memory is the largest sum of the
resident sizes of it and its worker processes, sampled from /proc every 50 ms. jq's time
(zcat | jq selecting the key's records) is the baseline, and jq's count of the key's
records is checked against keycheck's.

Opt-in, as it writes 135 MB and takes about five minutes: KEYCHECK_BENCH_GIGABYTE=1.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.bench.test_analyze_throughput import JQ, KEY, KEYCHECK, write_deliveries
from tests.unit.analysis.support import REPO

FILES = 1700
PROC = Path("/proc")


def _tree(pid: int) -> list[int]:
    """The process and every descendant, as /proc lists them now."""
    found = [pid]
    for task in PROC.glob(f"{pid}/task/*/children"):
        try:
            children = task.read_text().split()
        except OSError:  # the task ended between the listing and the read
            continue
        for child in children:
            found += _tree(int(child))
    return found


def _resident(pid: int) -> int:
    try:
        return int((PROC / str(pid) / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError):
        return 0


def measured(command: list[str], out: Path) -> tuple[float, int]:
    """Wall time, and the peak of the summed resident memory of the command's processes."""
    started, peak = time.perf_counter(), 0
    with out.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, cwd=REPO)
        while process.poll() is None:
            peak = max(peak, sum(_resident(pid) for pid in _tree(process.pid)))
            time.sleep(0.05)
    assert process.returncode == 0, command
    return time.perf_counter() - started, peak


def _key_events(out: Path) -> int:
    """The key's events in keycheck's indented JSON, counted line by line, not loaded."""
    needle = f'"access_key_id": "{KEY}"'.encode()
    with out.open("rb") as lines:
        return sum(needle in line for line in lines)


def _shape(label: str, files: list[str], scratch: Path) -> None:
    selector = f'.Records[]? | select(.userIdentity.accessKeyId == "{KEY}")'
    jq = ["sh", "-c", f"zcat \"$@\" | {JQ} -c '{selector}'", "zcat-jq", *files]
    theirs, _ = measured(jq, scratch / "jq.out")
    selected = sum(1 for _ in (scratch / "jq.out").open("rb"))
    zipped = sum(Path(name).stat().st_size for name in files) / 2**20
    print(f"  {label} ({zipped:.0f} MiB gzip'd): jq {theirs:.1f} s ({selected:,} records)")
    analyze = [str(KEYCHECK), "analyze", *files, "--key", KEY, "--format", "json"]
    for name, command in (("keycheck", analyze), ("--jobs 1", [*analyze, "--jobs", "1"])):
        ours, peak = measured(command, scratch / "keycheck.json")
        assert _key_events(scratch / "keycheck.json") == selected
        print(
            f"    {name:<9} {ours:6.1f} s  keycheck/jq {theirs / ours:.2f}  "
            f"peak {peak / 2**20:,.0f} MiB"
        )


@pytest.mark.bench
@pytest.mark.skipif(
    os.environ.get("KEYCHECK_BENCH_GIGABYTE") != "1", reason="opt-in: KEYCHECK_BENCH_GIGABYTE=1"
)
@pytest.mark.skipif(not PROC.is_dir() or not Path(JQ).exists(), reason="needs /proc and jq")
def test_a_gigabyte_in_both_shapes(tmp_path: Path) -> None:
    compileall.compile_dir(REPO / "bot", quiet=1)
    print(f"\nkeycheck analyze --key on {FILES * 1000:,} records in {FILES} .json.gz")
    for label, share in (("1 % of records the key's", 0.01), ("every record the key's", 1.0)):
        files = write_deliveries(tmp_path / "trail", share, files=FILES)
        _shape(label, files, tmp_path)
        for name in files:
            Path(name).unlink()
