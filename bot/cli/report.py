"""`keycheck report INCIDENT`: the incident written up in Markdown, from the store."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.runtime.compose import build_reports
from bot.runtime.settings import load_settings


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("report", help="write an incident up in Markdown, with its chart")
    parser.add_argument("incident", help="the incident id, as on its card (inc-…)")
    parser.add_argument(
        "--output", type=Path, default=Path("."), help="directory for the files (default: here)"
    )
    parser.add_argument(
        "--share",
        action="store_true",
        help="also upload it to the incident's thread and copy it to the evidence bucket",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    reports = build_reports(load_settings())
    if args.share:
        document, notes = reports.publish(args.incident)
    else:
        document, notes = reports.write(args.incident), []
    args.output.mkdir(parents=True, exist_ok=True)
    for name, data in document.files():
        (args.output / name).write_bytes(data)
        print(f"wrote {args.output / name}")
    for note in notes:
        print(f"report {note}")
    return 0
