"""The stand-in's history methods and message metadata, as Slack documents them."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standins.slack import SlackStandIn

MARK = {"event_type": "keycheck_incident_card", "event_payload": {"incident_id": "inc-1"}}


def error_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        call(**kwargs)
    return str(caught.value.response["error"])


def test_metadata_is_kept_and_shown_only_when_asked_for(client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0ALERTS", text="card", metadata=MARK)
    plain = client.conversations_history(channel="C0ALERTS")["messages"]
    full = client.conversations_history(channel="C0ALERTS", include_all_metadata=True)
    assert "metadata" not in plain[0]
    assert full["messages"][0]["metadata"] == MARK and full["messages"][0]["ts"] == posted["ts"]


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ({"event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "x", "event_payload": "text"}, "invalid_metadata_schema"),
        ("not json", "invalid_metadata_format"),
    ],
)
def test_malformed_metadata_is_refused(client: WebClient, metadata: Any, error: str) -> None:
    assert (
        error_of(client.chat_postMessage, channel="C0ALERTS", text="x", metadata=metadata) == error
    )


def test_history_is_newest_first_paged_by_cursor_and_bounded_by_oldest(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C0ALERTS", text=str(n))["ts"] for n in range(5)]
    first = client.conversations_history(channel="C0ALERTS", limit=2)
    assert [m["ts"] for m in first["messages"]] == stamps[:-3:-1] and first["has_more"]
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel="C0ALERTS", limit=10, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == stamps[2::-1] and not rest["has_more"]
    since = client.conversations_history(channel="C0ALERTS", oldest=stamps[2])["messages"]
    assert [m["ts"] for m in since] == stamps[:2:-1], "oldest is exclusive"


def test_replies_are_the_parent_then_the_thread_oldest_first(client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0ALERTS", text="card")["ts"]
    replies = [
        client.chat_postMessage(channel="C0ALERTS", text=str(n), thread_ts=parent, metadata=MARK)[
            "ts"
        ]
        for n in range(3)
    ]
    thread = client.conversations_replies(
        channel="C0ALERTS", ts=replies[1], include_all_metadata=True
    )
    assert [m["ts"] for m in thread["messages"]] == [parent, *replies]
    assert [m.get("metadata") for m in thread["messages"]] == [None, MARK, MARK, MARK]
    assert (
        error_of(client.conversations_replies, channel="C0ALERTS", ts="1.2") == "thread_not_found"
    )


def test_history_needs_an_id_and_a_channel_the_bot_is_in(
    client: WebClient, slack: SlackStandIn
) -> None:
    outside = slack.add_channel("elsewhere", bot_member=False)
    assert error_of(client.conversations_history, channel="#security-alerts") == "channel_not_found"
    assert error_of(client.conversations_history, channel=outside) == "not_in_channel"


def test_list_names_the_channels_of_the_asked_types(client: WebClient, slack: SlackStandIn) -> None:
    slack.add_channel("ops")
    public = client.conversations_list(limit=1)
    names = [c["name"] for c in public["channels"]]
    cursor = public["response_metadata"]["next_cursor"]
    names += [c["name"] for c in client.conversations_list(cursor=cursor)["channels"]]
    assert sorted(names) == ["ops", "security-alerts"]
    assert error_of(client.conversations_list, types="nonsense") == "invalid_types"


def test_a_late_answer_comes_after_the_post_is_done(slack: SlackStandIn) -> None:
    hurried = WebClient(base_url=slack.url, token=slack.token, timeout=1, retry_handlers=[])
    slack.answer_late("chat.postMessage", 3.0)
    with pytest.raises(TimeoutError):
        hurried.chat_postMessage(channel="C0ALERTS", text="slow")
    assert [m["text"] for m in slack.channel_messages("C0ALERTS")] == ["slow"]
