"""What the subcommands that change IAM share: who is acting, and asking before they do."""

from __future__ import annotations

import getpass
import sys

from bot.errors import KeycheckError
from bot.models import OutcomeStatus
from bot.respond.responder import Responder

SUCCESS = frozenset({OutcomeStatus.DONE, OutcomeStatus.ALREADY})


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


def reconcile(responder: Responder) -> None:
    """Settle what a killed run left in the action log before asking for anything new."""
    for outcome in responder.reconcile():
        print(f"Settled from an earlier run: {outcome.message}")
