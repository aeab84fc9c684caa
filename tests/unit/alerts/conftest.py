"""Fixtures for the alert parsers: every envelope is a JSON file in tests/fixtures/alerts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.alerts.parse import parse_body
from bot.models import Alert
from tests.support.sns import SnsSigner

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "alerts"
MAX_BYTES = 256 * 1024


def fixture_text(name: str) -> str:
    """The one loader: a fixture's body exactly as SQS or SNS would hand it over."""
    return (FIXTURES / name).read_text()


@pytest.fixture
def event_text() -> Callable[[str], str]:
    return fixture_text


@pytest.fixture
def load_event() -> Callable[[str], dict[str, Any]]:
    def load(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(fixture_text(name))
        return data

    return load


@pytest.fixture
def alerts_from() -> Callable[[str | dict[str, Any]], list[Alert]]:
    """Alerts from a fixture name, or from a payload built in the test."""

    def parse(source: str | dict[str, Any]) -> list[Alert]:
        body = fixture_text(source) if isinstance(source, str) else json.dumps(source)
        return parse_body(body, max_bytes=MAX_BYTES)

    return parse


@pytest.fixture(scope="session")
def sns_signer() -> SnsSigner:
    return SnsSigner()


@pytest.fixture
def make_signer() -> Callable[..., SnsSigner]:
    """A signer with a certificate of the test's choosing (another name, already expired…)."""
    return SnsSigner
