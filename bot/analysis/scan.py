"""CloudTrail records out of one file's bytes, skipping unparsed the records that cannot matter.

Accepted, each optionally gzipped (by content, whatever the name): `{"Records": [...]}` as
CloudTrail delivers to S3, `{"Events": [{"CloudTrailEvent": "..."}]}` as LookupEvents and
`aws cloudtrail lookup-events` print it, a JSON array of records, a single record, and JSON
Lines of any of those.

A file is split into its records as raw JSON first (msgspec validates it without building
a single object); a record whose raw text holds none of the given needles (key ids) is
dropped there, so only the records that may matter are parsed into dicts. Any key id a
record carries appears verbatim in its text, LookupEvents' escaped CloudTrailEvent included.
`scan_events` goes one step further: a delivery's records become events with no dict in
between (`bot.analysis.wire`).
"""

from __future__ import annotations

import bisect
import codecs
import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter
from typing import Any, Literal

import msgspec

from bot.analysis.records import event_from_record, record_from_lookup
from bot.analysis.wire import wire_event
from bot.errors import KeycheckError
from bot.events import TimelineEvent

Record = dict[str, Any]
# What a raw piece of a file is: a record of a delivery, a LookupEvents item, or any document.
Kind = Literal["record", "lookup", "document"]
# A raw JSON value: the whole file, a line of it, or a record inside it (not copied out).
Piece = bytes | msgspec.Raw
GZIP_MAGIC = b"\x1f\x8b"
_SEPARATORS = b" \t\r\n,"
_GAP = re.compile(rb"[ \t\r\n,]*")


class UnreadableTrail(KeycheckError):
    """A file that is none of the CloudTrail shapes we read."""


class _Envelope(msgspec.Struct):
    """The two wrappers around many records; any other object is one document."""

    Records: list[msgspec.Raw] | None = None
    Events: list[msgspec.Raw] | None = None


_SPLIT = msgspec.json.Decoder(list[msgspec.Raw] | _Envelope)
_RAW = msgspec.json.Decoder(msgspec.Raw)
_VALUE = msgspec.json.Decoder()


def records_in(document: object) -> Iterator[Record]:
    """The records in one parsed JSON value, whichever shape it has."""
    if isinstance(document, list):
        for item in document:
            yield from records_in(item)
    elif isinstance(document, dict):
        if isinstance(document.get("Records"), list):
            yield from (r for r in document["Records"] if isinstance(r, dict))
        elif isinstance(document.get("Events"), list):
            yield from (record_from_lookup(e) for e in document["Events"] if isinstance(e, dict))
        elif "CloudTrailEvent" in document:
            yield record_from_lookup(document)
        elif "eventName" in document or "eventID" in document:
            yield document


def _delivery_record(value: object) -> Iterator[Record]:
    if isinstance(value, dict):
        yield value


def _lookup_item(value: object) -> Iterator[Record]:
    if isinstance(value, dict):
        yield record_from_lookup(value)


EXPAND: dict[Kind, Callable[[object], Iterator[Record]]] = {
    "record": _delivery_record,
    "lookup": _lookup_item,
    "document": records_in,
}


def plain(blob: bytes) -> bytes:
    """The file's JSON bytes: gunzipped when gzip's magic says so, without a UTF-8 BOM."""
    if blob[:2] == GZIP_MAGIC:
        blob = gzip.decompress(blob)
    return blob.removeprefix(codecs.BOM_UTF8)


def pieces(text: bytes, name: str) -> list[tuple[Kind, Piece]]:
    """The raw records (or documents) of one file, each validated JSON, none parsed yet."""
    try:
        split = _SPLIT.decode(text)
    except msgspec.ValidationError:
        return [("document", text)]  # an object whose Records or Events is not a list
    except msgspec.DecodeError:
        return _lines(text, name)
    if isinstance(split, list):
        return [("document", raw) for raw in split]
    if split.Records is not None:
        return [("record", raw) for raw in split.Records]
    if split.Events is not None:
        return [("lookup", raw) for raw in split.Events]
    return [("document", text)]


def _lines(text: bytes, name: str) -> list[tuple[Kind, Piece]]:
    found: list[tuple[Kind, Piece]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append(("document", _RAW.decode(line.strip())))
        except msgspec.DecodeError as error:
            raise UnreadableTrail(
                f"{name}: line {number} is not JSON ({error}); expected CloudTrail "
                "records, LookupEvents output or JSON Lines"
            ) from None
    return found


def _hits(text: bytes, needles: Sequence[bytes]) -> list[int]:
    """Where any needle starts in the text, in order."""
    found = []
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            found.append(at)
            at = text.find(needle, at + len(needle))
    return sorted(found)


def _starts(text: bytes, parts: Sequence[tuple[Kind, Piece]]) -> list[int] | None:
    """Where each part begins in the text; None when that cannot be told for sure.

    Parts follow one another with only commas and white space between (JSON's rule for
    array items; lines are stripped), so the first one's place and their sizes give every
    other's. The first and last are checked against the text.
    """
    first, last = bytes(parts[0][1]), bytes(parts[-1][1])
    origin = text.find(first[:64])
    sizes = [len(raw) for _, raw in parts]
    starts = _one_apart(text, origin, sizes)
    if starts is None:
        starts = _walk(text, origin, sizes)
    placed = text.startswith(first, origin) and text.startswith(last, starts[-1])
    return starts if placed else None


def _one_apart(text: bytes, origin: int, sizes: list[int]) -> list[int] | None:
    """The starts when one byte parts every two, as CloudTrail's `},{` does; else None.

    Summed at C speed, then checked, exactly: no gap is shorter than one byte, so the first
    longer one puts the start summed after it on a separator.
    """
    starts = list(accumulate((size + 1 for size in sizes[:-1]), initial=origin))
    if len(starts) > 1:
        found = bytes(itemgetter(*starts)(text))
        if len(found.translate(None, _SEPARATORS)) < len(starts):
            return None
    return starts


def _walk(text: bytes, origin: int, sizes: list[int]) -> list[int]:
    """The starts, found by stepping over each gap's separators."""
    starts, at = [origin], origin + sizes[0]
    for size in sizes[1:]:
        gap = _GAP.match(text, at)
        at = gap.end() if gap else at
        starts.append(at)
        at += size
    return starts


def _holding(
    text: bytes, parts: list[tuple[Kind, Piece]], needles: Sequence[bytes], hits: list[int]
) -> list[int]:
    """The indexes of the parts that hold a needle: placed by where the needles were found
    in the whole text, instead of searching each of thousands of parts for each needle."""
    starts = _starts(text, parts)
    if starts is None:
        return [i for i, (_, raw) in enumerate(parts) if any(n in bytes(raw) for n in needles)]
    holding = set()
    for hit in hits:
        index = bisect.bisect_right(starts, hit) - 1
        if index >= 0 and hit < starts[index] + len(parts[index][1]):
            holding.add(index)
    return sorted(holding)


def _value(raw: Piece) -> object:
    """One piece parsed; by the standard library when a number is past msgspec's 64 bits."""
    try:
        return _VALUE.decode(raw)
    except msgspec.ValidationError:
        return json.loads(bytes(raw))


@dataclass
class Scanned:
    """The records of one file that passed the needles, and how many the file had."""

    records: list[Record] = field(default_factory=list)
    seen: int = 0


@dataclass
class ScannedEvents:
    """The events of one file's records that passed the needles, and how many the file had.

    A record without a readable time is an event dated `records.UNDATED` (that very
    object): the caller counts it instead of placing it in 1970.
    """

    events: list[TimelineEvent] = field(default_factory=list)
    seen: int = 0


def _chosen(
    blob: bytes, name: str, needles: Sequence[bytes] | None
) -> tuple[int, list[tuple[Kind, Piece]]]:
    """How many records the file has, and those of its pieces that hold a needle (all of
    them without needles). A file that holds no needle at all is not split: its records
    are counted by their time fields, for progress only."""
    try:
        text = plain(blob)
    except (OSError, EOFError, zlib.error) as error:  # a truncated or corrupt .gz
        raise UnreadableTrail(
            f"{name}: not a readable gzip file ({type(error).__name__})"
        ) from None
    hits = [] if needles is None else _hits(text, needles)
    if needles is not None and not hits:
        return max(text.count(b'"eventTime"'), text.count(b'"@timestamp"')), []
    parts = pieces(text, name)
    if needles is None or not parts:
        return len(parts), parts
    return len(parts), [parts[index] for index in _holding(text, parts, needles, hits)]


def _expanded(kind: Kind, raw: Piece, name: str) -> Iterator[Record]:
    try:
        value = _value(raw)
    except msgspec.DecodeError as error:  # a piece the splitter let through, e.g. `7n`
        raise UnreadableTrail(f"{name}: not JSON ({error})") from None
    return EXPAND[kind](value)


def scan_records(
    blob: bytes, name: str = "input", needles: Sequence[bytes] | None = None
) -> Scanned:
    """The file's records; with needles, only those whose raw text holds one of them."""
    seen, chosen = _chosen(blob, name, needles)
    scanned = Scanned(seen=seen)
    for kind, raw in chosen:
        scanned.records.extend(_expanded(kind, raw, name))
    return scanned


def scan_events(
    blob: bytes, name: str = "input", needles: Sequence[bytes] | None = None
) -> ScannedEvents:
    """`scan_records` as events: a delivery's records are decoded straight into them, any
    other piece through its parsed record."""
    seen, chosen = _chosen(blob, name, needles)
    scanned = ScannedEvents(seen=seen)
    for kind, raw in chosen:
        quick = wire_event(raw) if kind == "record" else None
        if quick is not None:
            scanned.events.append(quick)
        else:
            scanned.events.extend(map(event_from_record, _expanded(kind, raw, name)))
    return scanned
