"""The long-lived parts one running keycheck shares: settings, store, AWS sessions, Slack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.aws.sessions import Sessions
from bot.config import Settings
from bot.store import Store

if TYPE_CHECKING:
    from bot.slack.messenger import Messenger


@dataclass
class Services:
    """Built once by the app, the worker or the CLI, and handed to every listener."""

    settings: Settings
    store: Store
    sessions: Sessions
    messenger: Messenger
