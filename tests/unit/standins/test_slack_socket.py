"""The stand-in's Socket Mode: one-time tickets, hello, envelopes and acks checked as Slack does."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from bot.standins.slack import SlackStandIn
from bot.standins.slack_socket import DEFAULT_APP_TOKEN


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as slack:
        yield slack


def open_url(standin: SlackStandIn) -> str:
    return str(
        WebClient(base_url=standin.url).apps_connections_open(app_token=DEFAULT_APP_TOKEN)["url"]
    )


def answer_with(link: ClientConnection, payload: dict[str, Any]) -> threading.Thread:
    """The app's side: ack the next envelope with `payload`."""

    def ack() -> None:
        envelope = json.loads(link.recv(timeout=5))
        link.send(json.dumps({"envelope_id": envelope["envelope_id"], "payload": payload}))

    thread = threading.Thread(target=ack)
    thread.start()
    return thread


def test_a_socket_is_greeted_with_hello_and_its_ticket_works_once(standin: SlackStandIn) -> None:
    url = open_url(standin)
    with connect(url) as link:
        hello = json.loads(link.recv(timeout=5))
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"]["app_id"] == "A0KEYCHECK"
    with pytest.raises(InvalidStatus) as refused:
        connect(url)
    assert refused.value.response.status_code == 401


def test_an_app_token_other_than_the_apps_is_refused(standin: SlackStandIn) -> None:
    answer = standin.answer("apps.connections.open", {}, "xapp-1-someone-else")[1]
    assert answer == {"ok": False, "error": "invalid_auth"}
    assert standin.answer("apps.connections.open", {}, "")[1]["error"] == "not_authed"


def test_an_ack_is_returned_with_its_payload_and_what_slack_would_refuse_in_it(
    standin: SlackStandIn,
) -> None:
    with connect(open_url(standin)) as link:
        link.recv(timeout=5)
        standin.socket_mode.wait_connected(1, timeout=5)
        good = answer_with(link, {"text": "Looking up"})
        assert standin.socket_mode.send("slash_commands", {"text": "x"}).payload == {
            "text": "Looking up"
        }
        good.join()
        bad = answer_with(link, {"blocks": [{"type": "nonsense"}]})
        ack = standin.socket_mode.send("interactive", {"type": "block_actions"})
        bad.join()
    assert ack.errors


def test_a_refresh_request_reaches_the_app_as_slack_words_it(standin: SlackStandIn) -> None:
    with connect(open_url(standin)) as link:
        link.recv(timeout=5)
        standin.socket_mode.wait_connected(1, timeout=5)
        standin.socket_mode.disconnect("warning")
        message = json.loads(link.recv(timeout=5))
    assert (message["type"], message["reason"]) == ("disconnect", "warning")
    with pytest.raises(ValueError, match="no disconnect reason"):
        standin.socket_mode.disconnect("bored")
