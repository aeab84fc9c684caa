"""`keycheck timeline KEY`: the attacker's CloudTrail timeline in a terminal, when Slack is down."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timedelta
from typing import TextIO

from bot.analysis.export import timeline_csv, timeline_json
from bot.analysis.report import RegionProgress, TimelineReport
from bot.aws.athena import CloudTrailTable
from bot.aws.cloudtrail import LOOKUP_WINDOW
from bot.aws.sessions import Sessions
from bot.aws.sts import get_access_key_info
from bot.cli.analyze import analysis_table, csv_list, write_analyze_json
from bot.config import Settings
from bot.domain.keys import TERMINAL_USAGE, parse_key_id
from bot.errors import KeycheckError
from bot.investigate.athena import athena_timeline
from bot.investigate.timeline import analysis_config, build_timeline, describe_error, window
from bot.runtime.compose import aws_sessions
from bot.runtime.settings import load_settings
from bot.slack.timeline_blocks import progress_text

_SINCE = re.compile(r"\A(\d+)([dh])\Z")


def since(value: str) -> timedelta:
    """'30d' or '12h'; LookupEvents' 90-day limit is checked once the source is known."""
    match = _SINCE.match(value.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(f"{value!r}: expected a duration like 30d or 12h")
    amount = int(match.group(1))
    span = timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)
    if span < timedelta(hours=1):
        raise argparse.ArgumentTypeError("--since must be at least 1h")
    return span


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "timeline",
        help="fetch a key's CloudTrail timeline: every region, every key it minted",
    )
    parser.add_argument("key", help="the AKIA… or ASIA… access key id")
    parser.add_argument("--since", type=since, help="how far back (default: the setting, 30d)")
    parser.add_argument(
        "--regions", type=csv_list, action="extend", help="only these regions (comma-separated)"
    )
    parser.add_argument("--account", default="", help="the key's account (default: ask STS)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    athena = parser.add_argument_group(
        "Athena", "read an organisation trail's Athena table instead: no 90-day limit"
    )
    athena.add_argument("--athena-table", default="", help="DATABASE.TABLE of the trail")
    athena.add_argument("--athena-workgroup", default="primary")
    athena.add_argument("--athena-output", default="", help="s3:// location for query results")
    athena.add_argument(
        "--athena-account", default="", help="the account of the table (default: this one)"
    )
    parser.set_defaults(func=run)


class TerminalProgress:
    """A bar redrawn in place on a terminal; one line per lookup when stderr is a file."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream, self.width = stream, width
        self.tty = stream.isatty()

    def __call__(self, progress: RegionProgress) -> None:
        line = progress_text(progress)
        if not self.tty:
            print(line, file=self.stream, flush=True)
            return
        filled = self.width * progress.done // max(progress.total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {line[:70]:<70}")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def key_account(sessions: Sessions, key_id: str) -> str:
    """The key's account from STS, or '' (the bot's own) when STS will not say."""
    try:
        return get_access_key_info(sessions.own_client("sts"), key_id)
    except Exception as error:
        print(
            f"keycheck: account of {key_id} unknown ({describe_error(error)}); using this account",
            file=sys.stderr,
        )
        return ""


def fetch(
    sessions: Sessions,
    settings: Settings,
    key_id: str,
    account: str,
    span: tuple[datetime, datetime],
    regions: list[str] | tuple[str, ...],
) -> TimelineReport:
    """The key's timeline from LookupEvents, its progress on stderr as it goes."""
    progress = TerminalProgress(sys.stderr)
    try:
        return build_timeline(
            sessions,
            key_id,
            account,
            config=analysis_config(settings),
            start=span[0],
            end=span[1],
            regions=regions,
            progress=progress,
        )
    finally:
        progress.finish()


def run(args: argparse.Namespace) -> int:
    key_id = parse_key_id(args.key, usage=TERMINAL_USAGE)
    settings = load_settings()
    sessions = aws_sessions(settings)
    start, end = window(settings.timeline_days)
    if args.since is not None:
        start = end - args.since
    if args.athena_table:
        return _from_athena(args, sessions, settings, key_id, start, end)
    if end - start > LOOKUP_WINDOW:
        raise KeycheckError(
            "LookupEvents keeps 90 days: use --since 90d or less, or --athena-table"
        )
    account = args.account or key_account(sessions, key_id)
    report = fetch(sessions, settings, key_id, account, (start, end), args.regions or ())
    _print(report, args.format)
    if report.failed:
        raise KeycheckError(
            f"{len(report.failed)} of {len(report.lookups)} lookups failed: the timeline is "
            "incomplete (see above)"
        )
    return 0


def _from_athena(
    args: argparse.Namespace,
    sessions: Sessions,
    settings: Settings,
    key_id: str,
    start: datetime,
    end: datetime,
) -> int:
    """The same analysis over the trail's table, for an organisation trail or an older leak."""
    client = (
        sessions.client("athena", args.athena_account)
        if args.athena_account
        else sessions.own_client("athena")
    )
    table = CloudTrailTable(
        name=args.athena_table, workgroup=args.athena_workgroup, output_location=args.athena_output
    )
    print(f"querying {args.athena_table} from {start:%Y-%m-%d} to {end:%Y-%m-%d}", file=sys.stderr)
    result = athena_timeline(
        client,
        table,
        key_id,
        start=start,
        end=end,
        config=analysis_config(settings),
        regions=args.regions or (),
    )
    if args.format == "json":
        sys.stdout.flush()
        write_analyze_json(result, [], sys.stdout.buffer)
    else:
        print(analysis_table(result))
    return 0


def _print(report: TimelineReport, form: str) -> None:
    if form == "json":
        sys.stdout.write(timeline_json(report).decode() + "\n")
    elif form == "csv":
        sys.stdout.write(timeline_csv(report).decode())
    else:
        print(analysis_table(report))
        for failed in report.failed:
            print(f"FAILED {failed.key_id} {failed.account_id} {failed.region}: {failed.error}")
