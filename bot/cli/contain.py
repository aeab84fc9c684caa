"""`keycheck contain KEY`: the containment buttons, from a terminal, into the same action log."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.cli.check import sessions_from
from bot.config import Settings
from bot.respond.containment import plan
from bot.errors import KeycheckError
from bot.respond.keyreport import build_key_report
from bot.domain.keys import parse_key_id
from bot.models import ActionKind, ActionOutcome, ContainmentStep, OutcomeStatus, utcnow
from bot.domain.policies import policy_text
from bot.respond.responder import Responder
from bot.store import open_store

FLAG_ACTIONS = (
    ("deactivate", ActionKind.DEACTIVATE_KEY),
    ("deny_all", ActionKind.ATTACH_DENY_ALL),
    ("revoke_sessions", ActionKind.REVOKE_SESSIONS),
)
SUCCESS = frozenset({OutcomeStatus.DONE, OutcomeStatus.ALREADY})


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "contain", help="contain a key: deactivate it, deny-all, revoke sessions (default: all)"
    )
    parser.add_argument("key", help="the AKIA… or ASIA… access key id")
    parser.add_argument("--deactivate", action="store_true", help="set the key Inactive")
    parser.add_argument("--deny-all", action="store_true", help="attach the inline deny-all policy")
    parser.add_argument(
        "--revoke-sessions", action="store_true", help="deny sessions issued before now"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument("--reason", default="", help="why, for the action log")
    parser.add_argument("--incident", default="", help="the incident id to file this under")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    key_id = parse_key_id(args.key)
    actions = [action for flag, action in FLAG_ACTIONS if getattr(args, flag)]
    actions = actions or [ActionKind.CONTAIN_ALL]
    settings = Settings()
    sessions = sessions_from(settings)
    report = build_key_report(sessions, key_id)
    steps = [step for action in actions for step in plan(action, report, utcnow())]
    print(plan_text(steps))
    if args.dry_run:
        print("Dry run: nothing was changed.")
        return 0
    if not confirmed(args.yes):
        print("Cancelled: nothing was changed.")
        return 1
    store = open_store(settings.store_url)
    try:
        responder = Responder(store, sessions)
        outcomes = [
            responder.request(
                action,
                key_id,
                report.account_id,
                actor=cli_actor(),
                reason=args.reason,
                incident_id=args.incident,
                source="cli",
            )
            for action in actions
        ]
    finally:
        store.close()
    print("\n".join(outcome_text(outcome) for outcome in outcomes))
    return 0 if all(o.status in SUCCESS for o in outcomes) else 1


def cli_actor() -> str:
    """Who acted, for the action log: the login name behind the terminal."""
    return f"cli:{getpass.getuser()}"


def confirmed(yes: bool, prompt: str = "Make these changes? [y/N] ") -> bool:
    """--yes, or a person at a terminal who typed y; a script without --yes is refused."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise KeycheckError(
            "Refusing to change IAM without a confirmation: run this in a terminal, or pass --yes."
        )
    return input(prompt).strip().lower() in {"y", "yes"}


def plan_text(steps: list[ContainmentStep]) -> str:
    """Exactly what will change, with every policy's full text."""
    lines = ["Plan:"]
    for number, step in enumerate(steps, start=1):
        lines.append(f"{number}. {step.summary}")
        if step.policy_document is not None:
            lines += [f"     {line}" for line in policy_text(step.policy_document).splitlines()]
    return "\n".join(lines)


def outcome_text(outcome: ActionOutcome) -> str:
    """The result as read back from AWS, and the id to undo it with."""
    text = outcome.message
    record = outcome.record
    if record is not None and outcome.status is OutcomeStatus.DONE:
        text += f"\nAction {record.id}: undo with `keycheck undo {record.id}`."
    return text
