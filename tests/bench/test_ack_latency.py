"""Ack latency of /keycheck and a containment button while IAM takes 2 s a call.

Slack gives an app 3 seconds to acknowledge. keycheck acknowledges first and runs the AWS
work on its own threads, so a slow IAM should not show in the ack. This prints p50/p99
over 200 requests each, as a share of Slack's budget and against a Bolt app that does
nothing but ack, served and signed the same way in the same process.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.runtime.httpserver import BackgroundServer
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId, ButtonValue
from bot.standins.aws import seed_leaked_user
from bot.standins.slack import SlackStandIn
from bot.standins.slack_requests import SlackRequests
from tests.conftest import RESPONDER

REQUESTS = 200
IAM_DELAY = 2.0
SLACK_BUDGET = 3.0
ACCOUNT = "123456789012"


def bare_app(signing_secret: str, slack: SlackStandIn) -> App:
    """The floor: Bolt, signature check, an ack, nothing else."""
    from slack_sdk import WebClient

    app = App(
        client=WebClient(token=slack.token, base_url=slack.url),
        signing_secret=signing_secret,
        token_verification_enabled=False,
    )

    def ack_only(ack: Ack) -> None:
        ack()

    app.command("/keycheck")(ack_only)
    app.action(re.compile(".*"))(ack_only)
    return app


class SlowIam:
    """Holds every IAM request keycheck sends for 2 s, and counts them."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.delayed = 0

    def __call__(self, **_: Any) -> None:
        self.delayed += 1
        time.sleep(IAM_DELAY)


@pytest.fixture
def slow_iam(aws: boto3.Session, runtime: Runtime) -> Iterator[SlowIam]:
    """A leaked key; then every IAM call keycheck makes waits 2 s before it is sent."""
    slow = SlowIam(str(seed_leaked_user(aws.client("iam"), "app-integration-user")["AccessKeyId"]))
    runtime.services.sessions.client("iam", ACCOUNT).meta.events.register("before-send.iam", slow)
    yield slow
    runtime.services.work.shutdown(wait=True, cancel_futures=True)


def timed(send: Callable[[], tuple[int, str]]) -> list[float]:
    latencies = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        status, _ = send()
        latencies.append(time.perf_counter() - start)
        assert status == 200
    return latencies


def summary(name: str, latencies: list[float], floor: list[float]) -> str:
    cuts, floor_cuts = statistics.quantiles(latencies, n=100), statistics.quantiles(floor, n=100)
    p50, p99, f50, f99 = cuts[49], cuts[98], floor_cuts[49], floor_cuts[98]
    return (
        f"{name:<10} p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
        f"| p99 = {p99 / SLACK_BUDGET:.3f} of Slack's 3 s  "
        f"| vs ack-only app: p50 x{p50 / f50:.2f}, p99 x{p99 / f99:.2f} "
        f"(ack-only p50 {f50 * 1000:.1f} ms, p99 {f99 * 1000:.1f} ms)"
    )


@pytest.mark.bench
def test_ack_latency_with_slow_iam(
    slack: SlackStandIn,
    runtime: Runtime,
    slack_requests: SlackRequests,
    slow_iam: SlowIam,
) -> None:
    slack.add_user(RESPONDER, "responder")
    secret = runtime.services.settings.slack_signing_secret.get_secret_value()
    value = ButtonValue(k=slow_iam.key, a=ACCOUNT).encode()

    def keycheck(requests: SlackRequests) -> Callable[[], tuple[int, str]]:
        return lambda: requests.command(slow_iam.key, user=RESPONDER)

    def button(requests: SlackRequests) -> Callable[[], tuple[int, str]]:
        return lambda: requests.click(
            ActionId.DEACTIVATE_KEY, value, user=RESPONDER, channel="C0ALERTS", message_ts=""
        )

    with BackgroundServer(SlackRequestHandler(bare_app(secret, slack))) as floor_server:
        floor = SlackRequests(floor_server.url, secret)
        floor_command, floor_button = timed(keycheck(floor)), timed(button(floor))
    command, click = timed(keycheck(slack_requests)), timed(button(slack_requests))

    print()
    print(f"ack latency over {REQUESTS} requests each, IAM delayed {IAM_DELAY:.0f} s per call")
    print(summary("/keycheck", command, floor_command))
    print(summary("button", click, floor_button))
    print(f"IAM calls held back while measuring: {slow_iam.delayed}")
    assert len(slack.calls_to("views.open")) == REQUESTS
