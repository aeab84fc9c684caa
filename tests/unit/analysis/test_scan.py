"""A file's bytes to records: every shape, and the needles that drop records before parsing."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from typing import Any

import pytest

from bot.analysis.scan import UnreadableTrail, scan_records
from tests.unit.analysis.support import KEY, T0, assume_role, record

OTHER = "AKIAOTHERKEYXXXXXXXX"
ASIA = "ASIAPOIUYTREWQLKJHGF"


def _records() -> list[dict[str, Any]]:
    """Mostly another key's; KEY's now and then, and once an AssumeRole that minted ASIA."""
    found = [
        record("ListUsers", key=KEY if i % 7 == 0 else OTHER, when=T0 + timedelta(seconds=i))
        for i in range(60)
    ]
    found.insert(30, assume_role(ASIA))
    return found


def _one_gap_wider(records: list[dict[str, Any]]) -> bytes:
    """Compact records one comma apart, as CloudTrail writes them, but for one wider gap."""
    compact = [json.dumps(r, separators=(",", ":")).encode() for r in records]
    half = max(1, len(compact) // 2)
    joined = b",".join(compact[:half])
    if compact[half:]:
        joined += b",\n " + b",".join(compact[half:])
    return joined


def _shapes(records: list[dict[str, Any]]) -> dict[str, bytes]:
    """The same records as every producer writes them."""
    lookup = {"Events": [{"CloudTrailEvent": json.dumps(r), "EventId": "x"} for r in records]}
    return {
        "delivery": json.dumps({"Records": records}, separators=(",", ":")).encode(),
        "one gap wider": b'{"Records":[' + _one_gap_wider(records) + b"]}",
        "pretty delivery": json.dumps({"Records": records}, indent=2).encode(),
        "gzipped": gzip.compress(json.dumps({"Records": records}).encode()),
        "bom": b"\xef\xbb\xbf" + json.dumps({"Records": records}).encode(),
        "array": json.dumps(records, indent=1).encode(),
        "lookup events": json.dumps(lookup).encode(),
        "json lines": "\r\n\n".join("  " + json.dumps(r) for r in records).encode(),
        "wrapped first": json.dumps({"Note": records[0], "Records": records}).encode(),
    }


SHAPES = list(_shapes(_records()))


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_gives_the_same_records(shape: str) -> None:
    records = _records()
    assert scan_records(_shapes(records)[shape], shape).records == records


@pytest.mark.parametrize("shape", SHAPES)
def test_needles_keep_exactly_the_records_that_hold_them(shape: str) -> None:
    records = _records()
    blob = _shapes(records)[shape]
    for needles in ([KEY], [ASIA], [KEY, b'"credentials"'.decode()], ["AKIANOWHEREXXXXXXXXX"]):
        wanted = [r for r in records if any(n in json.dumps(r) for n in needles)]
        scanned = scan_records(blob, shape, [n.encode() for n in needles])
        assert scanned.records == wanted, (shape, needles)
        if wanted:  # a file holding no needle is not split: its count is an estimate
            assert scanned.seen == len(records)


def test_a_file_without_any_needle_is_not_parsed_at_all() -> None:
    blob = json.dumps({"Records": _records()}).encode() + b"\n{not json"
    scanned = scan_records(blob, "broken", [b"AKIANOWHEREXXXXXXXXX"])
    assert scanned.records == []
    with pytest.raises(UnreadableTrail, match="broken: line 2"):
        scan_records(blob, "broken", [KEY.encode()])


def test_records_of_a_delivery_need_not_name_their_event() -> None:
    """A delivery's Records are taken as they are; a loose document needs eventName/eventID."""
    assert scan_records(b'{"Records": [{"a": 1}, 2]}').records == [{"a": 1}]
    assert scan_records(b'[{"a": 1}, {"eventID": "x"}]').records == [{"eventID": "x"}]
    assert scan_records(b'{"Records": "none"}').records == []


def test_numbers_past_64_bits_are_read_in_every_shape() -> None:
    huge = {"size": 2**70}
    records = [record("PutObject", "s3", requestParameters=huge)]
    for shape, blob in _shapes(records).items():
        assert scan_records(blob, shape).records == records, shape
