"""Bolt listeners only: parse the payload, ack at once, hand off to bot/."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import (
    commands,
    containment,
    lookup,
    owner,
    report,
    timeline,
    triage,
    verify,
    views,
)

GROUPS = (commands, containment, lookup, timeline, triage, verify, views, owner, report)


def register(app: App, services: Services) -> None:
    """Register every listener group, in the order above."""
    for group in GROUPS:
        group.register(app, services)
