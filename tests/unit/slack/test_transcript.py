"""The transcript: a channel as a person reads it, at 100 columns."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.models import Alert, AlertContext
from bot.slack.cards import incident_card
from bot.standins.slack import SlackStandIn
from bot.standins.transcript import mrkdwn_to_text, render_channel

from .conftest import make_incident


def test_mrkdwn_reads_as_text() -> None:
    text = "<https://a.example/x|the repo> &lt;!channel&gt; <@U0ALICE> <#C0ALERTS> <!here>"
    assert (
        mrkdwn_to_text(text) == "the repo (https://a.example/x) <!channel> @U0ALICE #C0ALERTS @here"
    )


def test_card_thread_ephemeral_file_and_modal_in_order(
    slack: SlackStandIn,
    raw_client: WebClient,
    caller_identity: Alert,
    caller_identity_context: AlertContext,
) -> None:
    text, blocks = incident_card(
        make_incident(caller_identity, alert_count=2), caller_identity, caller_identity_context
    )
    card = raw_client.chat_postMessage(channel="C0ALERTS", text=text, blocks=blocks)["ts"]
    raw_client.chat_postMessage(channel="C0ALERTS", text="Second alert: ListUsers", thread_ts=card)
    raw_client.chat_postEphemeral(
        channel="C0ALERTS", user="U0MALLORY", text="You are not a responder.", thread_ts=card
    )
    raw_client.files_upload_v2(
        channel="C0ALERTS",
        thread_ts=card,
        file_uploads=[{"filename": "timeline.csv", "content": b"0123456789"}],
        initial_comment="Timeline",
    )
    raw_client.views_open(
        trigger_id=slack.issue_trigger("C0ALERTS", "U0ALICE"),
        view={
            "type": "modal",
            "title": {"type": "plain_text", "text": "Deactivate key?"},
            "submit": {"type": "plain_text", "text": "Deactivate"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "AKIA… only"}}],
        },
    )
    raw_client.chat_update(channel="C0ALERTS", ts=card, text=text, blocks=blocks)
    shown = render_channel(slack.channel_log("C0ALERTS"))
    lines = shown.splitlines()
    assert lines[0] == "🟠 GetCallerIdentity from outside known networks"
    assert "[ Contain all… ] [ CloudTrail timeline ] [ Acknowledge ]" in shown
    assert "[ ⋯ Attach deny-all · Open case · Report" in shown
    assert "  │ Second alert: ListUsers" in lines
    assert "  │ (only visible to @U0MALLORY)" in lines
    assert "  │ 📎 timeline.csv (10 bytes)" in lines
    assert "[modal for @U0ALICE] Deactivate key?" in lines
    assert "  [ Cancel ] [ Deactivate ]" in lines
    assert "(edited)" in lines
    assert lines.index("  │ Second alert: ListUsers") < lines.index(
        "[modal for @U0ALICE] Deactivate key?"
    )
    assert max(len(line) for line in lines) <= 100


def test_fields_sit_two_to_a_row() -> None:
    message = {
        "ts": "1.000100",
        "blocks": [
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Which key*\n`AKIA…`"},
                    {"type": "mrkdwn", "text": "*Whose*\nIAM user `app`"},
                    {"type": "mrkdwn", "text": "*From*\n`198.51.100.50`"},
                ],
            },
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "37 alerts"}]},
        ],
    }
    lines = render_channel([message], width=60).splitlines()
    assert lines[0] == "*Which key*".ljust(31) + "*Whose*"
    assert lines[1] == "`AKIA…`".ljust(31) + "IAM user `app`"
    assert lines[2:4] == ["*From*", "`198.51.100.50`"]
    assert lines[4] == "─" * 60
    assert lines[5] == "  37 alerts"


def test_a_message_without_blocks_shows_its_text() -> None:
    assert render_channel([{"ts": "1.1", "text": "plain &amp; simple"}]) == "plain & simple\n"


def test_a_long_context_item_wraps_at_the_width() -> None:
    arn = "arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/" + "A" * 60
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"short · `{arn}`"}]}
    lines = render_channel([{"ts": "1.1", "blocks": [context]}], width=80).splitlines()
    assert len(lines) > 1
    assert max(len(line) for line in lines) <= 80
    assert "".join(line.strip() for line in lines).endswith("A" * 60 + "`")
