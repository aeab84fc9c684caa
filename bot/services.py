"""The long-lived parts one running keycheck shares: settings, store, AWS sessions, Slack."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from bot.aws.sessions import Sessions
from bot.config import Settings
from bot.store import Store

if TYPE_CHECKING:
    from bot.respond.authorization import Responders
    from bot.ingest.enrich import Enricher
    from bot.respond.responder import Responder
    from bot.slack.messenger import Messenger

# Threads for the AWS work behind Slack requests, apart from Bolt's own few threads, so
# that a slow IAM never delays the next acknowledgement.
WORK_THREADS = 8


@dataclass
class Services:
    """Built once by the app, the worker or the CLI, and handed to every listener."""

    settings: Settings
    store: Store
    sessions: Sessions
    messenger: Messenger

    @cached_property
    def responder(self) -> Responder:
        """The one response pipeline: Slack, auto-containment and the CLI share its action log."""
        from bot.respond.responder import Responder

        return Responder(self.store, self.sessions)

    @cached_property
    def enricher(self) -> Enricher:
        """One context cache for every card, so an action's read-back is what cards show."""
        from bot.ingest.enrich import Enricher
        from bot.respond.keyreport import build_key_report

        return Enricher(self.settings, key_report=lambda key: build_key_report(self.sessions, key))

    @cached_property
    def auth(self) -> Responders:
        """Who may press: its group cache lives as long as the process."""
        from bot.respond.authorization import Responders

        return Responders(self.settings, self.messenger.usergroup_members)

    @cached_property
    def work(self) -> ThreadPoolExecutor:
        """Where Slack listeners run their AWS work once Slack has its acknowledgement."""
        return ThreadPoolExecutor(max_workers=WORK_THREADS, thread_name_prefix="respond")
