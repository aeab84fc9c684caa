"""The stand-in's users.lookupByEmail and conversations.open, answering as Slack's API does."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.standins.slack import SlackStandIn

from .test_slack_standin import SECTION, error_of


def test_lookup_by_email_finds_the_profile_address_case_insensitively(
    slack: SlackStandIn, client: WebClient
) -> None:
    slack.set_email("U0ALICE", "alice@example.com")
    user = client.users_lookupByEmail(email="Alice@Example.com")["user"]
    assert user["id"] == "U0ALICE" and user["profile"]["email"] == "alice@example.com"
    assert error_of(client.users_lookupByEmail, email="nobody@example.com") == "users_not_found"


def test_conversations_open_gives_one_dm_per_user_that_the_bot_can_post_in(
    slack: SlackStandIn, client: WebClient
) -> None:
    first = client.conversations_open(users="U0ALICE")
    again = client.conversations_open(users="U0ALICE")
    assert first["channel"]["id"].startswith("D") and "already_open" not in first.data
    assert again["channel"]["id"] == first["channel"]["id"] and again["already_open"] is True
    client.chat_postMessage(channel=first["channel"]["id"], text="hi", blocks=[SECTION])
    assert [m["text"] for m in slack.direct_messages("U0ALICE")] == ["hi"]
    assert error_of(client.conversations_open, users="U0NOBODY") == "user_not_found"
