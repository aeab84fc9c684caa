"""Ingests over a real SQLite file and the Slack stand-in, unpaced so tests run fast."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.config import Settings
from bot.ingest.enrich import Enricher
from bot.ingest.pipeline import LEASE_SECONDS, Ingest
from bot.slack.messenger import ChannelPacer, Messenger, make_client
from bot.standins.slack import SlackStandIn
from bot.store import Store, open_store

Replica = Callable[..., Ingest]


@pytest.fixture
def replica(settings: Settings, slack: SlackStandIn) -> Iterator[Replica]:
    """A new Ingest on the shared store file: what another process of keycheck would build."""
    stores: list[Store] = []

    def build(*, lease_seconds: float = LEASE_SECONDS, interval: float = 0.0) -> Ingest:
        store = open_store(settings.store_url)
        stores.append(store)
        client = make_client(settings.slack_bot_token.get_secret_value(), slack.url, timeout=5)
        messenger = Messenger(client, pacer=ChannelPacer(interval=interval))
        return Ingest(settings, store, messenger, Enricher(settings), lease_seconds=lease_seconds)

    yield build
    for store in stores:
        store.close()


@pytest.fixture
def ingest(replica: Replica) -> Ingest:
    return replica()
