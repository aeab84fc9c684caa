"""Shared fixtures: moto over real HTTP, the Slack stand-in, settings, and a running keycheck."""

from __future__ import annotations

import secrets
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest
from moto.server import ThreadedMotoServer

from bot.config import Settings
from bot.standins.slack_requests import SlackRequests

if TYPE_CHECKING:
    from bot.runtime.process import Runtime
    from bot.standins.slack import SlackStandIn

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
RESPONDER = "U0RESPONDER"
SECOND_RESPONDER = "U0ALICE"
STRANGER = "U0STRANGER"


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server for the session; each test that uses it starts from a reset."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> boto3.Session:
    """boto3 pointed at moto through its standard environment variables."""
    reset = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    for name, value in {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.Session(region_name="us-east-1")


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    from bot.standins.slack import SlackStandIn

    with SlackStandIn() as standin:
        standin.add_user(RESPONDER, "responder")
        standin.add_user(STRANGER, "stranger")
        yield standin


@pytest.fixture
def settings(
    slack: SlackStandIn, tmp_path: Path, aws: boto3.Session, request: pytest.FixtureRequest
) -> Settings:
    """Settings as an operator would set them, pointed at the stand-ins.

    A test that needs other settings says so with `@pytest.mark.settings(name=value)`:
    they are in place before anything is built from them, as at a real start.
    """
    marker = request.node.get_closest_marker("settings")
    changes = marker.kwargs if marker else {}
    defaults = dict(
        slack_bot_token=slack.token,
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=slack.url,
        alerts_channel="#security-alerts",
        responders=[RESPONDER, SECOND_RESPONDER],
        store_url=f"sqlite:///{tmp_path / 'keycheck.sqlite3'}",
        known_cidrs=["203.0.113.0/24"],
        approved_regions=["us-east-1", "eu-west-1"],
        sns_topic_arns=["arn:aws:sns:us-east-1:123456789012:keycheck-alerts"],
    )
    return Settings(_env_file=None, **(defaults | changes))


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    from bot.runtime.process import Runtime

    built = Runtime.build(settings)
    yield built
    built.close()


@pytest.fixture
def served(runtime: Runtime) -> Iterator[str]:
    """keycheck's HTTP surface on a free loopback port; yields its base URL."""
    from bot.runtime.httpserver import BackgroundServer

    with BackgroundServer(runtime.web) as server:
        yield server.url


@pytest.fixture
def slack_requests(served: str, settings: Settings, slack: SlackStandIn) -> SlackRequests:
    secret = settings.slack_signing_secret.get_secret_value()
    return SlackRequests(served, secret, response_urls=slack.issue_response_url)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the third-party data beside the checkout, say so once per test that reads it.

    CI clones with `shared/` beside the checkout; a bare clone still runs everything else.
    """
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"third-party test data not found at {SHARED_DATA}")
    for item in items:
        module = getattr(item, "module", None)
        if hasattr(module, "SHARED_DATA") or "geoip" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)
