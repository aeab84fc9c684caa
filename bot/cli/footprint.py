"""`keycheck footprint KEY`: what a key's chain left behind, and its containment, from a shell."""

from __future__ import annotations

import argparse

from bot.analysis.footprint import FootprintItem
from bot.cli.analyze import csv_list
from bot.cli.contain import outcome_text, plan_text, settled
from bot.cli.terminal import cli_actor, confirmed, reconcile
from bot.cli.timeline import fetch, key_account
from bot.domain.keys import TERMINAL_USAGE, parse_key_id
from bot.investigate.timeline import window
from bot.respond.containment import footprint_plan
from bot.runtime.compose import aws_sessions, responder_of, store_of
from bot.runtime.settings import load_settings


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "footprint", help="list what a key's chain left behind (keys, users, grants, trusts)"
    )
    parser.add_argument("key", help="the AKIA… or ASIA… access key id")
    parser.add_argument("--account", default="", help="the key's account (default: ask STS)")
    parser.add_argument(
        "--regions", type=csv_list, action="extend", help="only these regions (comma-separated)"
    )
    parser.add_argument(
        "--contain",
        action="store_true",
        help="deactivate its keys, deny-all its users, detach its policies, remove its trusts",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument("--reason", default="", help="why, for the action log")
    parser.add_argument("--incident", default="", help="the incident id to file this under")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=run)


def footprint_text(items: list[FootprintItem]) -> str:
    """One line per item: what, when, by which key, and its state in IAM now."""
    if not items:
        return "Footprint: nothing created or changed in IAM by this key's chain."
    lines = [f"Footprint ({len(items)}):"]
    for item in items:
        state = item.state or "not read"
        lines.append(
            f"  {item.time:%Y-%m-%d %H:%M:%S}Z  {item.label}  [{state}]  by {item.by_key or '—'}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    key_id = parse_key_id(args.key, usage=TERMINAL_USAGE)
    settings = load_settings()
    sessions = aws_sessions(settings)
    account = args.account or key_account(sessions, key_id)
    span = window(settings.timeline_days)
    report = fetch(sessions, settings, key_id, account, span, args.regions or ())
    print(footprint_text(report.footprint))
    if not args.contain:
        return 0
    steps, left = footprint_plan(report.footprint)
    print(plan_text(steps))
    for why in left:
        print(f"Not contained here: {why}")
    if args.dry_run or not steps:
        print("Dry run: nothing was changed." if args.dry_run else "Nothing to contain.")
        return 0
    if not confirmed(args.yes):
        print("Cancelled: nothing was changed.")
        return 1
    store = store_of(settings)
    try:
        responder = responder_of(settings, store, sessions)
        reconcile(responder)
        outcome = responder.contain_footprint(
            key_id,
            report.footprint,
            account,
            actor=cli_actor(),
            reason=args.reason,
            incident_id=args.incident,
            source="cli",
        )
    finally:
        store.close()
    print(outcome_text(outcome))
    return 0 if settled(outcome) else 1
