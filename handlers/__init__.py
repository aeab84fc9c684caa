"""Bolt listeners only: parse the payload, ack at once, hand off to bot/."""

from __future__ import annotations

import importlib
import pkgutil

from slack_bolt import App

from bot.services import Services


def register(app: App, services: Services) -> None:
    """Register every listener module's `register(app, services)`."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(app, services)
