"""`keycheck contain KEY`: the containment buttons, from a terminal, into the same action log."""

from __future__ import annotations

import argparse

from bot.cli.terminal import SUCCESS, cli_actor, confirmed, reconcile
from bot.domain.keys import TERMINAL_USAGE, parse_key_id
from bot.domain.policies import policy_text
from bot.models import (
    ActionKind,
    ActionOutcome,
    ActionState,
    ContainmentStep,
    OutcomeStatus,
    utcnow,
)
from bot.respond.containment import plan
from bot.respond.keyreport import build_key_report
from bot.runtime.compose import aws_sessions, responder_of, store_of
from bot.runtime.settings import load_settings

FLAG_ACTIONS = (
    ("deactivate", ActionKind.DEACTIVATE_KEY),
    ("deny_all", ActionKind.ATTACH_DENY_ALL),
    ("revoke_sessions", ActionKind.REVOKE_SESSIONS),
)


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
    key_id = parse_key_id(args.key, usage=TERMINAL_USAGE)
    actions = [action for flag, action in FLAG_ACTIONS if getattr(args, flag)]
    actions = actions or [ActionKind.CONTAIN_ALL]
    settings = load_settings()
    sessions = aws_sessions(settings)
    report = build_key_report(sessions, key_id)
    steps = [step for action in actions for step in plan(action, report, utcnow())]
    print(plan_text(steps))
    if args.dry_run:
        print("Dry run: nothing was changed.")
        return 0
    if not confirmed(args.yes):
        print("Cancelled: nothing was changed.")
        return 1
    store = store_of(settings)
    try:
        responder = responder_of(settings, store, sessions)
        reconcile(responder)
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
    return 0 if all(settled(o) for o in outcomes) else 1


def settled(outcome: ActionOutcome) -> bool:
    """Done now or before; a request still running (or in doubt) is not a success yet."""
    if outcome.status is OutcomeStatus.ALREADY and outcome.record is not None:
        return outcome.record.state is ActionState.DONE
    return outcome.status in SUCCESS


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
