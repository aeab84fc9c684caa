"""The `keycheck` command: every subcommand module in bot.commands, found at start."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

import bot.commands
from bot.errors import KeycheckError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keycheck", description="Respond to a leaked AWS access key, from Slack or here."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(bot.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"bot.commands.{info.name}")
        module.add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; a KeycheckError is a clear one-line message and exit status 2."""
    args = build_parser().parse_args(argv)
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
