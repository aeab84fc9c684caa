"""`keycheck analyze FILE...`: the timeline analysis over CloudTrail files, local or in S3."""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from bot.analysis.context import AnalysisSettings, NoSettings, analysis_config
from bot.analysis.export import iso, write_analysis_json
from bot.analysis.findings import call_name
from bot.analysis.pipeline import analyze
from bot.analysis.report import Analysis
from bot.analysis.sweep import Progress, every_event, select_events
from bot.domain.keys import TERMINAL_USAGE, parse_key_id
from bot.errors import InvalidKeyId
from bot.events import TimelineEvent
from bot.investigate.trailfiles import trail_sources

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Files may be anonymised (Stratus' keys use every digit), so a filter key is checked for
# shape, not for the characters AWS issues; anything secret-like is still refused.
FILTER_KEY = re.compile(r"\A(AKIA|ASIA)[A-Z0-9]{16}\Z")


def csv_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def filter_key(value: str) -> str:
    """A key to narrow the analysis to; secrets are refused without being echoed."""
    try:
        return parse_key_id(value, usage=TERMINAL_USAGE)
    except InvalidKeyId:
        if FILTER_KEY.match(value.strip()):
            return value.strip()
        raise


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "analyze",
        help="tag CloudTrail files: S3 deliveries, LookupEvents output, JSON Lines",
        description="Analyse CloudTrail records from files, directories or s3://bucket/prefix.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="file, directory or s3:// URL")
    parser.add_argument(
        "--key", action="append", default=[], help="only this key and the keys it minted"
    )
    parser.add_argument("--approved-regions", type=csv_list, help="comma-separated regions")
    parser.add_argument("--known-cidrs", type=csv_list, help="comma-separated CIDRs")
    parser.add_argument("--geoip-db", type=Path, help="a MaxMind City database (.mmdb)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--jobs",
        type=int,
        help="worker processes for local files (default: one per core for 64 MiB and more)",
    )
    parser.set_defaults(func=run)


# The settings an analysis reads, as environment variables; pydantic-settings matches any case.
SETTING_NAMES = frozenset(
    {"KEYCHECK_KNOWN_CIDRS", "KEYCHECK_APPROVED_REGIONS", "KEYCHECK_GEOIP_DB"}
    | {"KEYCHECK_AWS_IP_RANGES", "KEYCHECK_S3_BURST_READS", "KEYCHECK_S3_BURST_OBJECTS"}
    | {"KEYCHECK_S3_BURST_MINUTES"}
)


def _settings() -> AnalysisSettings:
    """The operator's settings; pydantic-settings (slow to import) only when some may be set."""
    if not Path(".env").exists() and not SETTING_NAMES & {name.upper() for name in os.environ}:
        return NoSettings()
    from bot.runtime.settings import load_settings

    return load_settings()


def _s3_client() -> S3Client:
    """Only for s3:// sources: boto3 and the settings load here, not at start."""
    from bot.aws.sessions import Sessions
    from bot.runtime.settings import load_settings

    client: S3Client = Sessions(region=load_settings().aws_region).own_client("s3")
    return client


def show_progress(progress: Progress) -> None:
    """One self-overwriting line on stderr: files done and records read per second."""
    label = "following minted keys: " if progress.second_pass else ""
    sys.stderr.write(
        f"\r{label}{progress.files_done}/{progress.files} files, "
        f"{progress.records:,} records, {progress.rate:,.0f} records/s"
    )
    if progress.files_done == progress.files:
        sys.stderr.write("\n")
    sys.stderr.flush()


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Records and events hold no reference cycles, but the cycle collector walks all of them
    again and again as they pile up: building 100,000 events took twice as long with it.
    Reference counting still frees everything."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run(args: argparse.Namespace) -> int:
    keys = [filter_key(key) for key in args.key]
    config = analysis_config(
        _settings(),
        known_cidrs=args.known_cidrs,
        approved_regions=args.approved_regions,
        geoip_db=args.geoip_db,
    )
    sources = trail_sources(args.files, _s3_client)
    progress = show_progress if sys.stderr.isatty() else None
    undated: list[str] = []
    with no_cycle_collection():
        events: Iterable[TimelineEvent] = (
            select_events(sources, set(keys), progress=progress, jobs=args.jobs, undated=undated)
            if keys
            else every_event(sources, progress, args.jobs, undated)
        )
        result = analyze(events, config, keys=keys)
        warn_undated(undated)
        if args.format == "json":
            sys.stdout.flush()
            write_analyze_json(result, undated, sys.stdout.buffer)
        else:
            print(analysis_table(result))
    return 0


def warn_undated(undated: list[str]) -> None:
    """Records left out for want of a time are said on stderr, never dated 1970 unseen."""
    if undated:
        named = ", ".join(undated[:5]) + (", …" if len(undated) > 5 else "")
        print(
            f"keycheck: {len(undated)} records without a readable eventTime or @timestamp "
            f"left out of the timeline: {named}",
            file=sys.stderr,
        )


def write_analyze_json(result: Analysis, undated: list[str], out: BinaryIO) -> None:
    """DESIGN's object, and a line break; with `undated` (count and ids) only when some
    records had no time. Standard output redacts each part on its way (`bot.cli.output`):
    a forged export can hold a secret in any field a row shows."""
    more = {"undated": {"records": len(undated), "event_ids": undated}} if undated else None
    write_analysis_json(result, out, more)
    out.write(b"\n")
    out.flush()


def analysis_table(result: Analysis) -> str:
    """Findings first, then every tagged event, then the keys minted; for a terminal."""
    lines = [f"{len(result.events)} events, {len(result.findings)} findings"]
    for finding in result.findings:
        lines.append(f"  [{finding.severity.value:>8}] {finding.rule.value} ({finding.technique})")
        lines.append(f"             {finding.summary}")
    tagged = [event for event in result.events if event.tags]
    if tagged:
        lines.append("")
        lines.append(f"{'time':<20} {'region':<14} {'call':<40} {'key':<20} {'source':<16} tags")
    for event in tagged:
        tags = ",".join(tag.value for tag in event.tags)
        lines.append(
            f"{iso(event.time):<20} {event.region[:14]:<14} {call_name(event)[:40]:<40} "
            f"{event.access_key_id:<20} {event.source_ip[:16]:<16} {tags}"
        )
    for key in result.keys:
        lines.append(f"minted: {key.access_key_id} from {key.derived_from} ({key.via})")
    return "\n".join(lines)
