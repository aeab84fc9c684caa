"""Many files in worker processes: chains followed across files, in one extra pass at most."""

from __future__ import annotations

import gzip
import json
from dataclasses import fields
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.analysis import sweep
from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.analysis.sweep import (
    POOL_BYTES,
    Progress,
    Source,
    cores,
    every_event,
    select_events,
    workers,
)
from bot.analysis.tagging import AnalysisConfig
from bot.events import TimelineEvent
from bot.investigate.trailfiles import trail_sources
from tests.unit.analysis.support import KEY, T0, as_role, assume_role, record

ASIA1, ASIA2, ASIA3 = (f"ASIA{c * 16}" for c in "BCD")
OTHER = "AKIAOTHERKEYXXXXXXXX"
ROLE = "arn:aws:iam::123456789012:role/admin"
minute = timedelta(minutes=1)


def _files() -> dict[str, list[dict[str, Any]]]:
    """KEY mints ASIA1 in file a; ASIA1 mints ASIA2 in d; ASIA2 mints ASIA3 in b.

    Each key's own calls are in other files, some before the file that minted it: every
    hop crosses files, in both directions. OTHER's calls, and a key OTHER minted, are noise.
    """
    asia = {k: as_role(k, ROLE, "123456789012") for k in (ASIA1, ASIA2, ASIA3)}
    return {
        "a.json": [record("ListUsers"), assume_role(ASIA1, when=T0 + minute)],
        "b.json": [
            record("GetObject", "s3", identity=asia[ASIA2], when=T0 + 4 * minute),
            assume_role(ASIA3, key=ASIA2, when=T0 + 5 * minute),
            record("ListUsers", key=OTHER),
        ],
        "c.json": [
            record("ListRoles", identity=asia[ASIA1], when=T0 + 2 * minute),
            record("RunInstances", "ec2", identity=asia[ASIA3], when=T0 + 6 * minute),
            assume_role("ASIAYYYYYYYYYYYYYYYY", key=OTHER),
        ],
        "d.json": [assume_role(ASIA2, key=ASIA1, when=T0 + 3 * minute)],
    }


def _write(folder: Path, files: dict[str, list[dict[str, Any]]]) -> list[Source]:
    for name, records in files.items():
        (folder / f"{name}.gz").write_bytes(
            gzip.compress(json.dumps({"Records": records}).encode())
        )
    return trail_sources([str(folder)])


@pytest.fixture
def trail(tmp_path: Path) -> list[Source]:
    return _write(tmp_path, _files())


def _expected(depth: int) -> list[str]:
    """What the analysis keeps of every record, parsed in one process: the reference."""
    every = [event_from_record(r) for records in _files().values() for r in records]
    return [e.event_id for e in analyze(every, AnalysisConfig(), keys=[KEY], depth=depth).events]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_chains_are_followed_across_files_in_worker_processes(
    trail: list[Source], jobs: int, depth: int
) -> None:
    kept = select_events(trail, {KEY}, depth=depth, jobs=jobs)
    result = analyze(kept, AnalysisConfig(), keys=[KEY], depth=depth)
    assert [e.event_id for e in result.events] == _expected(depth)
    minted = [(k.access_key_id, k.derived_from) for k in result.keys]
    assert minted == [(ASIA1, KEY), (ASIA2, ASIA1), (ASIA3, ASIA2)][:depth]


def test_only_files_scanned_before_a_key_was_known_are_scanned_again(tmp_path: Path) -> None:
    asia1 = as_role(ASIA1, ROLE, "123456789012")
    trail = _write(
        tmp_path,
        {
            "a.json": [assume_role(ASIA1)],
            "b.json": [record("ListRoles", identity=asia1), record("ListUsers", key=OTHER)],
            "c.json": [record("GetObject", "s3", identity=asia1)],
        },
    )
    reports: list[Progress] = []
    kept = select_events(trail, {KEY}, progress=reports.append, jobs=1)
    assert sorted(e.event_name for e in kept) == ["AssumeRole", "GetObject", "ListRoles"]
    first = [(r.files_done, r.files, r.records) for r in reports if not r.second_pass]
    assert first == [(1, 3, 1), (2, 3, 3), (3, 3, 4)]
    # b and c were scanned for ASIA1 already (a taught it first); only a is scanned again
    assert [(r.files_done, r.files) for r in reports if r.second_pass] == [(1, 1)]


def test_every_event_of_every_file_with_two_workers(trail: list[Source]) -> None:
    events = list(every_event(trail, jobs=2))
    assert sorted(e.event_name for e in events) == sorted(
        r["eventName"] for records in _files().values() for r in records
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_numbers_past_64_bits_are_read_and_carried(tmp_path: Path, jobs: int) -> None:
    huge = 2**70
    trail = _write(
        tmp_path,
        {"a.json": [record("PutObject", "s3", requestParameters={"size": huge})], "b.json": []},
    )
    (event,) = select_events(trail, {KEY}, jobs=jobs)
    assert event.request_parameters == {"size": huge}


def test_one_worker_per_core_and_none_for_one_file_or_s3(trail: list[Source]) -> None:
    assert workers(trail[:1]) == 1
    assert workers(trail, jobs=3) == 3
    assert workers([*trail, Source("s3://bucket/key", bytes, parallel=False)], jobs=2) == 1


def test_a_pool_starts_by_default_only_for_files_large_enough_to_repay_it() -> None:
    small = [Source(f"{n}.json.gz", bytes, size=POOL_BYTES // 8) for n in range(4)]
    large = [*small, *small]
    assert workers(small) == 1
    assert workers(large) == min(cores(), len(large))
    assert workers(small, jobs=2) == 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_records_without_a_time_are_named_not_dated(tmp_path: Path, jobs: int) -> None:
    timeless = record("CreateUser", eventID="no-time")
    del timeless["eventTime"]
    shipped = {"@timestamp": "2026-05-21T12:13:00.000Z", **record("ListUsers", eventID="x")}
    del shipped["eventTime"]
    trail = _write(tmp_path, {"a.json": [timeless], "b.json": [shipped]})
    undated: list[str] = []
    (event,) = select_events(trail, {KEY}, jobs=jobs, undated=undated)
    assert undated == ["no-time"]
    assert event.time == T0 + timedelta(minutes=1, seconds=2)
    assert [e.event_id for e in every_event(trail, jobs=jobs, undated=undated)] == ["x"]
    assert undated == ["no-time", "no-time"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_events_share_their_repeated_texts_whichever_file_they_came_from(
    trail: list[Source], jobs: int
) -> None:
    """Every text but the event's id: the quick way, the general way and a worker's
    MessagePack each name the fields to share, and a field one of them missed would hold a
    copy per event again."""
    events = list(every_event(trail, jobs=jobs))
    texts = [f.name for f in fields(TimelineEvent) if f.type == "str" and f.name != "event_id"]
    assert len(texts) == 15
    for name in texts:
        copies: dict[str, set[int]] = {}
        for e in events:
            copies.setdefault(getattr(e, name), set()).add(id(getattr(e, name)))
        assert all(len(ids) == 1 for ids in copies.values()), name
    assert len({e.region for e in events}) < len(events)  # some text does repeat


def _counting_scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files scanned in this process (a worker's scans count in the worker's memory)."""
    here: list[str] = []
    scan = sweep._scan

    def counted(task: Any) -> Any:
        here.append(task.source.name)
        return scan(task)

    monkeypatch.setattr(sweep, "_scan", counted)
    return here


@pytest.mark.skipif(cores() < 2, reason="a pool needs two cores")
@pytest.mark.parametrize("share", [1, 10])
def test_a_pool_that_keeps_most_of_what_it_reads_finishes_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: int
) -> None:
    """Every record the key's: the parent is the bottleneck and takes the rest itself;
    one in ten: the pool goes on. Either way the same events as one process finds."""
    files = {
        f"{n:02}.json": [
            record("ListUsers", key=KEY if i % share == 0 else OTHER, when=T0 + i * minute)
            for i in range(10)
        ]
        for n in range(4 * cores())
    }
    trail = _write(tmp_path, files)
    alone = select_events(trail, {KEY}, jobs=1)
    monkeypatch.setattr(sweep, "POOL_SAMPLE", 1)
    here = _counting_scans(monkeypatch)
    pooled = select_events(trail, {KEY}, jobs=cores())
    assert sorted(e.event_id for e in pooled) == sorted(e.event_id for e in alone)
    assert (len(here) > 0) is (share == 1)


@pytest.mark.skipif(cores() < 2, reason="a pool needs two cores")
def test_a_second_pass_over_few_small_files_forks_no_pool(
    trail: list[Source], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = select_events(trail, {KEY}, depth=3, jobs=1)
    here = _counting_scans(monkeypatch)
    kept = select_events(trail, {KEY}, depth=3, jobs=2)
    assert sorted(e.event_id for e in kept) == sorted(e.event_id for e in alone)
    assert here, "the second pass was sent to a pool"
