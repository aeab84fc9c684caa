""" "Was this you?": the owner's direct message, the reason form, and what the thread is told.

Everything here is pure Block Kit. Values that come from AWS or an alert (user names,
addresses, tag values) go through `bot.slack.format`, so a tag cannot ping anyone; only
the Slack ids keycheck resolved itself become mentions.
"""

from __future__ import annotations

from typing import Any

from bot.models import Alert, Incident, OwnerLookup
from bot.slack.blocks import Block, Message, context, section
from bot.slack.format import clean, code, local_time, plain
from bot.slack.ids import ActionId, ButtonValue, CallbackId
from bot.slack.modals import reason_input


def who(user: str) -> str:
    """A Slack user id keycheck resolved itself, as a mention."""
    return f"<@{user}>"


OWNER_REASON_REQUIRED = "Say in a sentence what you were doing: it goes in the audit log."


def owner_context(owner: OwnerLookup | None) -> list[Block]:
    """The card's line on the key's owner: asked, or why nobody could be (nothing when unknown)."""
    if owner is None:
        return []
    if owner.slack_user:
        return [context(f"👤 Owner {who(owner.slack_user)} was asked “Was this you?”")]
    return [context(f"👤 No owner found: {clean(owner.problem, 300)}", verbatim=True)]


def _button(action: ActionId, label: str, value: str, style: str) -> Block:
    return {
        "type": "button",
        "action_id": action.value,
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": value,
        "style": style,
    }


def _summary(incident: Incident, alert: Alert) -> str:
    parts = [f"*{clean(incident.title or alert.title, 150)}*"]
    if alert.event_name:
        parts.append(f"call {code(alert.event_name, 80)}")
    if alert.source_ip:
        parts.append(f"from {code(alert.source_ip, 60)}")
    if alert.region:
        parts.append(f"in {code(alert.region, 40)}")
    parts.append(f"at {local_time(alert.occurred_at or alert.received_at)}")
    return " ".join(parts)


def owner_question(incident: Incident, alert: Alert) -> Message:
    """The direct message to the key's owner: what was seen, and two buttons."""
    key = code(incident.access_key_id, 30)
    value = ButtonValue(i=incident.id, k=incident.access_key_id, a=incident.account_id).encode()
    text = f"Was this you? keycheck saw your access key {incident.access_key_id} in use."
    blocks: list[Block] = [
        section(f"👋 *Was this you?* keycheck saw your access key {key} in use."),
        section(_summary(incident, alert), verbatim=True),
        context(
            "Your answer goes to the security responders and into the incident's audit log. "
            "Answering changes nothing in AWS by itself."
        ),
        {
            "type": "actions",
            "block_id": "kc_owner",
            "elements": [
                _button(ActionId.OWNER_YES, "Yes, it was me", value, "primary"),
                _button(ActionId.OWNER_NO, "No, that wasn't me", value, "danger"),
            ],
        },
    ]
    return text, blocks


def owner_answered(incident: Incident, confirmed: bool) -> Message:
    """The direct message once answered: the buttons go, the answer stays."""
    answer = "✅ You said it was you" if confirmed else "🚨 You said it wasn't you"
    text = f"{answer} (incident {incident.id}). The responders have been told."
    return text, [
        section(f"{answer} (incident {code(incident.id, 60)}). The responders have been told.")
    ]


def reason_modal(incident_id: str) -> dict[str, Any]:
    """ "Yes, it was me": what the owner was doing, for the responders and the audit log."""
    return {
        "type": "modal",
        "callback_id": CallbackId.OWNER_REASON.value,
        "private_metadata": incident_id[:200],
        "title": {"type": "plain_text", "text": "It was me", "emoji": True},
        "submit": {"type": "plain_text", "text": "Tell the responders", "emoji": True},
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "blocks": [
            section("Thanks. What were you doing with the key? The responders will see this."),
            reason_input("What you were doing", required=True),
        ],
    }


def refusal_modal(text: str) -> dict[str, Any]:
    """Told to someone who pressed another person's "Was this you?" buttons: nothing happened."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Not your question", "emoji": True},
        "close": {"type": "plain_text", "text": "OK", "emoji": True},
        "blocks": [section(f"⛔ {plain(text, 2000)}")],
    }


def owner_confirmed(owner: str, reason: str) -> Message:
    """The thread, told the owner says it was them: a note, never a decision."""
    text = f"The key's owner says the activity was theirs: {reason}"
    blocks = [
        section(f"🙋 {who(owner)} says *it was them*: “{clean(reason, 500)}”", verbatim=True),
        context("Nothing was closed or undone: whether to contain is still the responders' call."),
    ]
    return text, blocks


def owner_denied(owner: str, responders: str, containing: bool) -> Message:
    """The thread, told the owner did not do this, with the responders called in."""
    then = (
        "keycheck is containing the key now, as the settings say."
        if containing
        else "keycheck contains nothing on the owner's word alone: the responders decide."
    )
    text = f"The key's owner says this was NOT them. {then}"
    call = f" {responders}" if responders else ""
    blocks = [
        section(f"🚨 {who(owner)} says *this was not them*.{call}"),
        context(then),
    ]
    return text, blocks


def already_answered(confirmed: bool) -> str:
    said = "it was you" if confirmed else "it wasn't you"
    return f"You already answered this one ({said}); the responders have it."
