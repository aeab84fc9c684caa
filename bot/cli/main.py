"""The `keycheck` command: the subcommands listed here, each a module of its own in bot.cli.

Only the subcommand asked for is imported: `keycheck analyze` on a laptop must not pay
for boto3 and Slack's SDK that `serve` needs. `keycheck --help` imports them all.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from bot.cli.output import redacted_output
from bot.domain.redact import install_log_redaction
from bot.errors import KeycheckError

# name: its module's one line of help, shown for the subcommands not imported.
SUBCOMMANDS = {
    "analyze": "tag CloudTrail files: S3 deliveries, LookupEvents output, JSON Lines",
    "check": "describe an access key: owner, status, policies",
    "contain": "contain a key: deactivate it, deny-all, revoke sessions (default: all)",
    "demo": "run the seed incident end to end on local stand-ins",
    "serve": "run the Slack app (HTTP, or Socket Mode)",
    "timeline": "fetch a key's CloudTrail timeline: every region, every key it minted",
    "undo": "undo a containment action by its id",
    "verify": "check that containment holds: every way in, read now",
    "worker": "long-poll the SQS alert queue and post to Slack",
    "watch": "watch a contained key's CloudTrail: denied, succeeded",
    "report": "write an incident up in Markdown, with its chart",
    "footprint": "list what a key's chain left behind, and contain it (--contain)",
}
NOISY_LOGGERS = ("botocore", "boto3", "urllib3", "werkzeug", "slack_bolt", "slack_sdk")


def chosen(argv: Sequence[str]) -> str:
    """The subcommand named on the command line, or "" (help, or a typo argparse will name)."""
    return next((word for word in argv if not word.startswith("-")), "")


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """A parser with every subcommand listed and the chosen one (or all, for help) filled in."""
    parser = argparse.ArgumentParser(
        prog="keycheck", description="Respond to a leaked AWS access key, from Slack or here."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = chosen(argv)
    for name, summary in SUBCOMMANDS.items():
        if wanted in SUBCOMMANDS and name != wanted:
            sub.add_parser(name, help=summary)
            continue
        importlib.import_module(f"bot.cli.{name}").add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; a KeycheckError is a clear one-line message and exit status 2.
    All it prints is redacted, argparse's refusals too."""
    words = list(sys.argv[1:] if argv is None else argv)
    with redacted_output():
        args = build_parser(words).parse_args(words)
        install_log_redaction()
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        for noisy in NOISY_LOGGERS:
            logging.getLogger(noisy).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
        try:
            return int(args.func(args))
        except KeycheckError as error:
            print(f"keycheck: {error}", file=sys.stderr)
            return 2
