"""response_urls on the Slack stand-in, held to Slack's rules, and keycheck's poster for them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bot.slack.messenger import Messenger, SlackDeliveryError, make_client
from bot.slack.response_url import hooks_origin, is_trusted
from bot.standins.slack import SlackStandIn

from .conftest import FakeClock

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "the report"}}
PERSON = "U0ALICE"


@pytest.fixture
def timed(clock: FakeClock) -> Iterator[SlackStandIn]:
    with SlackStandIn(clock=clock) as standin:
        yield standin


@pytest.fixture
def messenger(timed: SlackStandIn) -> Messenger:
    return Messenger(make_client(str(timed.token), timed.url, backoff=0.01))


def post(url: str, body: Any, kind: str = "application/json") -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_answer_is_ephemeral_by_default_even_where_the_bot_is_not(
    timed: SlackStandIn, messenger: Messenger
) -> None:
    hidden = timed.add_channel("hidden", members=[PERSON], bot_member=False, is_private=True)
    url = timed.issue_response_url(hidden, PERSON)

    messenger.respond(url, ("the report", [SECTION]))

    [note] = timed.ephemerals(hidden)
    assert note["ephemeral_to"] == PERSON and note["blocks"] == [SECTION]
    assert timed.channel_messages(hidden) == []
    [call] = timed.calls_to("response_url")
    assert call.ok and call.params["response_type"] == "ephemeral"


def test_in_channel_with_a_thread_is_a_reply_everyone_sees(
    timed: SlackStandIn, messenger: Messenger
) -> None:
    parent = messenger.post("C0ALERTS", "the card")
    url = timed.issue_response_url("C0ALERTS", PERSON, parent)

    messenger.respond(url, ("done", []), in_channel=True, thread_ts=parent)

    [_, reply] = timed.thread("C0ALERTS", parent)
    assert reply["text"] == "done" and "ephemeral_to" not in reply


def test_five_uses_within_thirty_minutes_then_slack_refuses(
    timed: SlackStandIn, messenger: Messenger, clock: FakeClock
) -> None:
    spent, stale = (timed.issue_response_url("C0ALERTS", PERSON) for _ in range(2))
    for n in range(5):
        messenger.respond(spent, (f"note {n}", []))

    def refusal(url: str) -> str:
        with pytest.raises(SlackDeliveryError) as caught:
            messenger.respond(url, ("one more", []))
        return caught.value.code

    assert refusal(spent) == "used_url"
    clock.advance(30 * 60 + 1)
    assert refusal(stale) == "expired_url"
    assert len(timed.ephemerals("C0ALERTS")) == 5


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"text": "x", "blocks": [{"type": "section"}]}, 400, "invalid_blocks"),
        ({"response_type": "ephemeral"}, 400, "no_text"),
        ({"text": "x", "response_type": "everyone"}, 400, "invalid_response_type"),
        ({"text": "x", "replace_original": "yes"}, 400, "invalid_payload"),
        ({"text": "x", "replace_original": True}, 400, "cannot_replace_command_message"),
        ({"text": "x", "thread_ts": "1.000100"}, 400, "thread_not_found"),
        (b"text=x", 400, "invalid_payload"),
    ],
)
def test_a_payload_slack_would_refuse_is_refused_and_spends_nothing(
    timed: SlackStandIn, body: Any, status: int, error: str
) -> None:
    url = timed.issue_response_url("C0ALERTS", PERSON)
    kind = "application/x-www-form-urlencoded" if isinstance(body, bytes) else "application/json"

    answered, answer = post(url, body, kind)

    assert (answered, answer["ok"], answer["error"]) == (status, False, error)
    assert timed.ephemerals("C0ALERTS") == []
    assert post(url, {"text": "fine"}) == (200, {"ok": True})


def test_replace_original_edits_the_message_pressed_and_keeps_who_sees_it(
    timed: SlackStandIn, messenger: Messenger
) -> None:
    card = messenger.post("C0ALERTS", "the card")
    url = timed.issue_response_url("C0ALERTS", PERSON, card)

    messenger.respond(url, ("the card, redrawn", []), replace_original=True)

    [message] = timed.channel_messages("C0ALERTS")
    assert message["text"] == "the card, redrawn" and "ephemeral_to" not in message


def test_an_unknown_response_url_is_gone(timed: SlackStandIn) -> None:
    assert post(f"{timed.base}hooks/commands/T0KEYCHECK/H0/none", {"text": "x"}) == (
        404,
        {"ok": False, "error": "no_service"},
    )


@pytest.mark.parametrize(
    ("api", "url", "trusted"),
    [
        ("https://slack.com/api/", "https://hooks.slack.com/commands/T1/2/abc", True),
        ("https://slack-gov.com/api/", "https://hooks.slack-gov.com/actions/T1/2/abc", True),
        ("https://slack.com/api/", "https://hooks.slack.com.evil.example/commands/x", False),
        ("https://slack.com/api/", "http://hooks.slack.com/commands/T1/2/abc", False),
        ("https://slack.com/api/", "https://hooks.slack.com/", False),
        ("http://127.0.0.1:8765/api/", "http://127.0.0.1:8765/hooks/commands/T/H/s", True),
        ("http://127.0.0.1:8765/api/", "http://127.0.0.1:9999/hooks/commands/T/H/s", False),
    ],
)
def test_only_slacks_own_hooks_are_trusted_with_a_post(api: str, url: str, trusted: bool) -> None:
    assert is_trusted(url, hooks_origin(api)) is trusted


def test_an_untrusted_response_url_is_never_called(messenger: Messenger) -> None:
    with pytest.raises(SlackDeliveryError) as caught:
        messenger.respond("http://169.254.169.254/latest/meta-data", ("x", []))

    assert caught.value.code == "untrusted_response_url"
