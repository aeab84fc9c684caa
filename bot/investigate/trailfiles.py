"""CloudTrail records from files: S3 deliveries, LookupEvents output, JSON Lines; local or in S3.

Accepted, each optionally gzipped (by content, whatever the name): `{"Records": [...]}` as
CloudTrail delivers to S3, `{"Events": [{"CloudTrailEvent": "..."}]}` as LookupEvents and
`aws cloudtrail lookup-events` print it, a JSON array of records, a single record, and JSON
Lines of any of those. A source is a file, a directory (read recursively) or
`s3://bucket/prefix`. CloudTrail's digest files are skipped.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.aws.cloudtrail import object_keys, read_object, record_from_lookup
from bot.errors import KeycheckError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".gz")
GZIP_MAGIC = b"\x1f\x8b"


class UnreadableTrail(KeycheckError):
    """A file that is none of the CloudTrail shapes we read."""


def decode(blob: bytes) -> str:
    return (gzip.decompress(blob) if blob[:2] == GZIP_MAGIC else blob).decode("utf-8-sig")


def records_in(document: object) -> Iterator[dict[str, Any]]:
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


def parse_text(text: str, name: str = "input") -> Iterator[dict[str, Any]]:
    """One whole JSON document, or else JSON Lines."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        yield from _json_lines(text, name)
        return
    yield from records_in(document)


def _json_lines(text: str, name: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except json.JSONDecodeError as error:
            raise UnreadableTrail(
                f"{name}: line {number} is not JSON ({error.msg}); expected CloudTrail "
                "records, LookupEvents output or JSON Lines"
            ) from None
        yield from records_in(document)


def _is_trail_file(name: str) -> bool:
    return name.endswith(SUFFIXES) and "CloudTrail-Digest" not in name


def local_files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file() and _is_trail_file(p.name))
    elif path.exists():
        yield path
    else:
        raise KeycheckError(f"{path}: no such file or directory")


def split_s3(url: str) -> tuple[str, str]:
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not bucket:
        raise KeycheckError(f"{url}: expected s3://bucket/prefix")
    return bucket, prefix


def s3_records(s3: S3Client, url: str) -> Iterator[dict[str, Any]]:
    """Every record under s3://bucket/prefix (CloudTrail's AWSLogs/... layout or any other)."""
    bucket, prefix = split_s3(url)
    for key in object_keys(s3, bucket, prefix):
        if _is_trail_file(key):
            yield from parse_text(decode(read_object(s3, bucket, key)), f"s3://{bucket}/{key}")


def iter_records(
    sources: Iterable[str], s3_client: Callable[[], S3Client] | None = None
) -> Iterator[dict[str, Any]]:
    """Records from every source in turn; `s3_client` builds a client when an s3:// URL comes."""
    client: S3Client | None = None
    for source in sources:
        if source.startswith("s3://"):
            if s3_client is None:
                raise KeycheckError(f"{source}: S3 sources need AWS credentials")
            client = client or s3_client()
            yield from s3_records(client, source)
            continue
        for path in local_files(Path(source)):
            yield from parse_text(decode(path.read_bytes()), str(path))
