"""`keycheck undo ACTION_ID`: put back exactly what an action found, into the same action log."""

from __future__ import annotations

import argparse

from bot.cli.terminal import SUCCESS, cli_actor, confirmed, reconcile
from bot.errors import UnknownAction
from bot.runtime.compose import aws_sessions, responder_of, store_of
from bot.runtime.settings import load_settings


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("undo", help="undo a containment action by its id")
    parser.add_argument("action_id", help="the id the action printed (act-…)")
    parser.add_argument("--reason", default="", help="why, for the action log")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    store = store_of(settings)
    try:
        record = store.get_action(args.action_id.strip())
        if record is None:
            raise UnknownAction(f"No action `{args.action_id.strip()[:40]}` in the action log.")
        print(
            f"Undo {record.action.value} on {record.target} (account {record.account_id}), "
            f"done by {record.actor}: what it found is put back."
        )
        if not confirmed(args.yes, "Undo it? [y/N] "):
            print("Cancelled: nothing was changed.")
            return 1
        responder = responder_of(settings, store, aws_sessions(settings))
        reconcile(responder)
        outcome = responder.undo(record.id, actor=cli_actor(), reason=args.reason, source="cli")
    finally:
        store.close()
    print(outcome.message)
    return 0 if outcome.status in SUCCESS else 1
