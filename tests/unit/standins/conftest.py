"""Fixtures: a running Slack stand-in and a real slack_sdk WebClient pointed at it."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.standins.slack import SlackStandIn


class FakeClock:
    """The stand-in's clock, moved by hand: trigger expiry and posting limits without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    """No retry handlers: each test sees exactly what the stand-in answered."""
    return WebClient(base_url=slack.url, token=slack.token, retry_handlers=[])
