"""Fixtures every unit folder that talks to Slack shares: one running Slack stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.standins.slack import SlackStandIn


@pytest.fixture(scope="session")
def running_slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def slack(running_slack: SlackStandIn) -> SlackStandIn:
    """One server for the session, back to a fresh workspace for every test."""
    running_slack.reset()
    return running_slack
