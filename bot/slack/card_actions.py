"""The card's actions, as one ordered list laid out within Slack's rules.

The card offers what is left to do and nothing done: a containment step IAM shows done
disappears (its Undo is on the status row), and a contained key offers the check that it
holds. The first few offers are buttons, primary first; the rest go in an overflow menu,
whose choices Bolt routes to the same listeners as the buttons (their option value is the
button's value plus the chosen action id). Adding an action to the card is appending one
`Offer` to `card_offers`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.keys import key_kind
from bot.models import (
    ActionKind,
    ActionRecord,
    ActionState,
    Incident,
    IncidentStatus,
    KeyKind,
    KeyReport,
)
from bot.slack.blocks import Block
from bot.slack.format import plain
from bot.slack.ids import ActionId, ButtonValue

# At most five buttons on a card, the status row's Undo among them; Slack's overflow menu
# holds at most five options.
MAX_BUTTONS = 5
PRIMARY = 3
OVERFLOW_OPTIONS = 5
OPTION_TEXT = 75
CONTAINMENT = frozenset(
    {
        ActionKind.CONTAIN_ALL,
        ActionKind.DEACTIVATE_KEY,
        ActionKind.ATTACH_DENY_ALL,
        ActionKind.REVOKE_SESSIONS,
    }
)


@dataclass(frozen=True)
class Offer:
    """One action the card offers: what it does, how it is drawn, what its value carries."""

    action: ActionId
    label: str
    value: ButtonValue
    style: str = ""


def still_open(key: str, report: KeyReport | None) -> list[ActionId]:
    """The containment steps the key's state (as last read from IAM) still lacks, in order.

    Without a report (not looked up, or the lookup failed) nothing is known to be done,
    so every step is offered. Revoking sessions again is always possible: it moves the
    cut-off to now, for sessions minted after the last revoke.
    """
    known = report is not None and not report.error
    steps: list[ActionId] = []
    if key_kind(key) is KeyKind.LONG_TERM and not (
        known and report and report.status == "Inactive"
    ):
        steps.append(ActionId.DEACTIVATE_KEY)
    steps.append(ActionId.REVOKE_SESSIONS)
    if not (known and report and report.deny_all_attached):
        steps.append(ActionId.ATTACH_DENY_ALL)
    return steps


def contained(key: str, report: KeyReport | None) -> bool:
    """Every step done: the key refused, its principal denied, its sessions cut off."""
    revoked = report is not None and not report.error and report.revoke_attached
    return revoked and still_open(key, report) == [ActionId.REVOKE_SESSIONS]


BUTTON_LABEL = {
    ActionId.DEACTIVATE_KEY: "Deactivate key",
    ActionId.REVOKE_SESSIONS: "Revoke sessions",
    ActionId.ATTACH_DENY_ALL: "Attach deny-all",
}


def last_containment(actions: list[ActionRecord]) -> ActionRecord | None:
    """The latest containment done and not undone (a step of Contain all counts as it)."""
    done = [
        r
        for r in actions
        if r.action in CONTAINMENT and r.state is ActionState.DONE and not r.parent_id
    ]
    return done[-1] if done else None


def card_offers(
    incident: Incident, key: str, account: str, report: KeyReport | None
) -> list[Offer]:
    """Everything the card offers now, primary first."""
    value = ButtonValue(i=incident.id, k=key, a=account)
    offers: list[Offer] = []
    if key and contained(key, report):
        offers.append(Offer(ActionId.VERIFY, "Verify containment", value, "primary"))
    elif key:
        offers.append(Offer(ActionId.CONTAIN_ALL, "Contain all…", value, "danger"))
    if key:
        offers.append(Offer(ActionId.TIMELINE, "CloudTrail timeline", value))
    if incident.status is IncidentStatus.OPEN:
        offers.append(Offer(ActionId.ACKNOWLEDGE, "Acknowledge", value, "primary"))
    else:
        offers.append(Offer(ActionId.REOPEN, "Reopen", value))
    if key and not contained(key, report):
        offers += [Offer(step, BUTTON_LABEL[step], value) for step in still_open(key, report)]
    offers.append(Offer(ActionId.OPEN_CASE, "Open case", value))
    offers.append(Offer(ActionId.REPORT, "Report", value))
    if key and not incident.incident_channel:
        offers.append(Offer(ActionId.DECLARE_INCIDENT, "Declare incident", value))
    if incident.status is IncidentStatus.OPEN and key:
        offers.append(Offer(ActionId.FALSE_POSITIVE, "False positive", value))
    return offers


def button(offer: Offer) -> Block:
    element: Block = {
        "type": "button",
        "action_id": offer.action.value,
        "text": {"type": "plain_text", "text": plain(offer.label, 75), "emoji": True},
        "value": offer.value.encode(),
    }
    if offer.style:
        element["style"] = offer.style
    return element


def overflow(offers: list[Offer]) -> Block:
    """An overflow menu; each option's value names its action beside the button's value."""
    options = [
        {
            "text": {"type": "plain_text", "text": plain(o.label, OPTION_TEXT), "emoji": True},
            "value": o.value.model_copy(update={"x": o.action.value}).encode(),
        }
        for o in offers
    ]
    return {"type": "overflow", "action_id": ActionId.MORE.value, "options": options}


def layout(offers: list[Offer], *, buttons_elsewhere: int = 0) -> list[Block]:
    """Actions blocks: the primary offers as buttons, the rest in overflow menus of five.

    More buttons are drawn only when the menus would otherwise exceed one, so a card never
    carries more than MAX_BUTTONS buttons counting `buttons_elsewhere` (the status row's).
    """
    room = MAX_BUTTONS - buttons_elsewhere
    shown = min(room, max(PRIMARY, len(offers) - OVERFLOW_OPTIONS))
    first, rest = offers[:shown], offers[shown:]
    menus = [rest[i : i + OVERFLOW_OPTIONS] for i in range(0, len(rest), OVERFLOW_OPTIONS)]
    elements = [button(o) for o in first] + ([overflow(menus[0])] if menus else [])
    blocks = [{"type": "actions", "elements": elements}] if elements else []
    return blocks + [{"type": "actions", "elements": [overflow(menu)]} for menu in menus[1:]]
