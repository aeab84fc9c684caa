"""CloudTrail log files, local or in S3: which files a source names, and their records.

A source is a file, a directory (read recursively) or `s3://bucket/prefix`; CloudTrail's
digest files are skipped. The shapes read (S3 deliveries, LookupEvents output, JSON Lines,
gzipped or not) are `bot.analysis.scan`'s. boto3 is imported only when an s3:// source
comes: an offline analysis of local files never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.analysis.scan import UnreadableTrail, scan_records
from bot.analysis.sweep import Source
from bot.errors import KeycheckError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["UnreadableTrail", "iter_records", "trail_sources"]

SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".gz")


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


def s3_sources(s3: S3Client, url: str) -> Iterator[Source]:
    """Every object under s3://bucket/prefix (CloudTrail's AWSLogs/... layout or any other).

    Each is read here, not in a worker process: a boto3 client does not cross processes.
    """
    from bot.aws.cloudtrail import object_keys, read_object

    bucket, prefix = split_s3(url)
    for key in object_keys(s3, bucket, prefix):
        if _is_trail_file(key):
            load = partial(read_object, s3, bucket, key)
            yield Source(f"s3://{bucket}/{key}", load, parallel=False)


def trail_sources(
    sources: Iterable[str], s3_client: Callable[[], S3Client] | None = None
) -> list[Source]:
    """Every file of every source, unread; `s3_client` builds a client when an s3:// URL comes."""
    found: list[Source] = []
    client: S3Client | None = None
    for source in sources:
        if source.startswith("s3://"):
            if s3_client is None:
                raise KeycheckError(f"{source}: S3 sources need AWS credentials")
            client = client or s3_client()
            found.extend(s3_sources(client, source))
            continue
        found.extend(
            Source(str(p), p.read_bytes, size=p.stat().st_size) for p in local_files(Path(source))
        )
    return found


def iter_records(
    sources: Iterable[str], s3_client: Callable[[], S3Client] | None = None
) -> Iterator[dict[str, Any]]:
    """Records from every source in turn, one file at a time."""
    for source in trail_sources(sources, s3_client):
        yield from scan_records(source.load(), source.name).records
