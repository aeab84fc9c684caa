"""The `keycheck` command: one module of bot.commands per subcommand, loaded when chosen."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from bot.errors import KeycheckError

SUBCOMMANDS = ("analyze", "check", "contain", "demo", "serve", "timeline", "undo", "worker")


def _chosen(argv: Sequence[str]) -> tuple[str, ...]:
    """The subcommand named in argv, alone: the others' imports (boto3, Bolt) cost a second.

    Without one (help, a typo), all of them, so that argparse can list them.
    """
    named = next((arg for arg in argv if not arg.startswith("-")), "")
    return (named,) if named in SUBCOMMANDS else SUBCOMMANDS


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keycheck", description="Respond to a leaked AWS access key, from Slack or here."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _chosen(argv):
        importlib.import_module(f"bot.commands.{name}").add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; a KeycheckError is a clear one-line message and exit status 2."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug", "slack_bolt", "slack_sdk"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return int(args.func(args))
    except KeycheckError as error:
        print(f"keycheck: {error}", file=sys.stderr)
        return 2
