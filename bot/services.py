"""The built parts one running keycheck shares: a plain record, filled in by the runtime.

Listeners take it whole (they are the top of the house); every part below takes only
the two or three collaborators it uses, so nothing under `handlers/` reaches into it.
"""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from bot.aws.sessions import Sessions
from bot.config import Settings
from bot.ingest.cards import Cards
from bot.ingest.pipeline import Ingest
from bot.investigate.post import TimelinePoster
from bot.investigate.reporting import Reports
from bot.respond.authorization import Responders
from bot.respond.blast_radius import BlastRadii
from bot.respond.cases import IncidentCases
from bot.respond.incident_channel import IncidentChannels
from bot.respond.lookup import KeyLookup
from bot.respond.owner import Owners
from bot.respond.responder import Responder
from bot.respond.triage import Triage
from bot.respond.verify import ContainmentCheck
from bot.slack.messenger import Messenger
from bot.store import Store


@dataclass(frozen=True)
class Services:
    """Built once by the runtime (server, worker, Lambda, CLI) and handed to every listener."""

    settings: Settings
    store: Store
    sessions: Sessions
    messenger: Messenger
    responders: Responders
    responder: Responder
    cards: Cards
    lookup: KeyLookup
    cases: IncidentCases
    channels: IncidentChannels
    triage: Triage
    blast: BlastRadii
    verify: ContainmentCheck
    timelines: TimelinePoster
    ingest: Ingest
    # Where Slack listeners run their AWS work once Slack has its acknowledgement.
    work: ThreadPoolExecutor
    # Read-only work anyone may ask for (timelines, look-ups): few threads, a short queue.
    reads: Executor
    owners: Owners
    reports: Reports
