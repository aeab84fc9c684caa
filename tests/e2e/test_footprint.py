"""The Footprint over signed HTTP: the timeline shows what the leaked key's chain left behind,
"Contain everything" contains it in moto after a modal that lists every change, and Undo
puts each back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from bot.models import Incident
from bot.slack.ids import ActionId, ButtonValue
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from tests.e2e.conftest import Responder, buttons, card_value, replies
from tests.support.backdoor import ADMIN_POLICY, Backdoor, attack_records, seed_backdoor
from tests.unit.analysis.support import cloudtrail_standin


@pytest.fixture
def backdoor(aws: boto3.Session, leaked: str) -> Backdoor:
    return seed_backdoor(aws.client("iam"))


@pytest.fixture
def trail(
    monkeypatch: pytest.MonkeyPatch, leaked: str, backdoor: Backdoor
) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch) as standin:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        standin.add_records("us-east-1", attack_records(backdoor, yesterday, leaked))
        yield standin


def _iam(aws: boto3.Session, keys: Backdoor) -> dict[str, Any]:
    iam = aws.client("iam")
    listed = iam.list_access_keys(UserName="backdoor")["AccessKeyMetadata"]
    attached = iam.list_attached_user_policies(UserName="backdoor")["AttachedPolicies"]
    return {
        "key": next(k["Status"] for k in listed if k["AccessKeyId"] == keys.second),
        "inline": iam.list_user_policies(UserName="backdoor")["PolicyNames"],
        "attached": [p["PolicyArn"] for p in attached],
    }


def _with_button(slack: SlackStandIn, incident: Incident, action: ActionId) -> Any:
    def found(s: SlackStandIn) -> dict[str, Any] | None:
        return next((m for m in replies(s, incident) if action.value in buttons(m)), None)

    return buttons(slack.wait_for(found, timeout=90))[action.value]


def _undo_all(slack: SlackStandIn, incident: Incident) -> dict[str, Any] | None:
    """The outcome's "Undo all": the whole containment, not one of its steps."""
    for message in replies(slack, incident):
        for block in message.get("blocks", []):
            for element in [*block.get("elements", []), block.get("accessory") or {}]:
                undo = element.get("action_id") == ActionId.UNDO.value
                if undo and element["text"]["text"] == "Undo all":
                    found: dict[str, Any] = element
                    return found
    return None


def _submittable(slack: SlackStandIn, seen: int) -> dict[str, Any]:
    def ready(s: SlackStandIn) -> dict[str, Any] | None:
        views = [v for v in s.views() if "submit" in v]
        return views[-1] if len(views) > seen else None

    view: dict[str, Any] = slack.wait_for(ready, timeout=30)
    return view


def test_the_footprint_is_shown_contained_everywhere_and_undone(
    responder: Responder,
    incident: Incident,
    slack: SlackStandIn,
    trail: CloudTrailStandIn,
    backdoor: Backdoor,
    aws: boto3.Session,
) -> None:
    before = _iam(aws, backdoor)
    assert responder.click(ActionId.TIMELINE, card_value(incident), incident) == 200
    button = _with_button(slack, incident, ActionId.CONTAIN_FOOTPRINT)
    text = json.dumps(replies(slack, incident), ensure_ascii=False)
    assert "*Footprint* (4)" in text
    assert f"access key {backdoor.second} of user backdoor — now *Active*" in text
    assert f"{ADMIN_POLICY} attached to user backdoor — now *attached*" in text

    assert responder.click(ActionId.CONTAIN_FOOTPRINT, button["value"], incident) == 200
    modal = _submittable(slack, 0)
    listed = json.dumps(modal["blocks"])
    assert f"Detach managed policy `{ADMIN_POLICY}`" in listed
    assert "Put inline policy `keycheck-deny-all`" in listed
    assert _iam(aws, backdoor) == before  # nothing changes before the confirmation
    assert responder.submit(modal, reason="backdoor left by the leaked key")[0] == 200

    def contained(_: SlackStandIn) -> dict[str, Any] | None:
        state = _iam(aws, backdoor)
        return state if state["attached"] == [] and state["key"] == "Inactive" else None

    assert slack.wait_for(contained, timeout=30) == {
        "key": "Inactive",
        "inline": ["keycheck-deny-all"],
        "attached": [],
    }
    undo = slack.wait_for(lambda s: _undo_all(s, incident), timeout=30)
    assert ButtonValue.decode(undo["value"]).r
    assert responder.click(ActionId.UNDO, undo["value"], incident) == 200
    assert responder.submit(_submittable(slack, 1), reason="drill")[0] == 200
    assert slack.wait_for(lambda _: _iam(aws, backdoor) == before or None, timeout=30)


@pytest.mark.settings(four_eyes=True)
def test_under_four_eyes_the_footprint_waits_for_a_second_responder(
    responder: Responder,
    second_responder: Responder,
    incident: Incident,
    slack: SlackStandIn,
    trail: CloudTrailStandIn,
    backdoor: Backdoor,
    aws: boto3.Session,
) -> None:
    """Contain everything ran on one responder's word while four-eyes was on."""
    before = _iam(aws, backdoor)
    assert responder.click(ActionId.TIMELINE, card_value(incident), incident) == 200
    button = _with_button(slack, incident, ActionId.CONTAIN_FOOTPRINT)
    assert responder.click(ActionId.CONTAIN_FOOTPRINT, button["value"], incident) == 200
    assert responder.submit(_submittable(slack, 0), reason="backdoor")[0] == 200

    approve = _with_button(slack, incident, ActionId.APPROVE)
    assert _iam(aws, backdoor) == before, "nothing changes on one responder's word"
    assert responder.click(ActionId.APPROVE, approve["value"], incident) == 200
    own = slack.wait_for(lambda s: s.ephemerals(incident.channel))[0]
    assert "another responder has to approve" in own["text"]
    assert _iam(aws, backdoor) == before

    assert second_responder.click(ActionId.APPROVE, approve["value"], incident) == 200

    def contained(_: SlackStandIn) -> dict[str, Any] | None:
        state = _iam(aws, backdoor)
        return state if state["attached"] == [] and state["key"] == "Inactive" else None

    assert slack.wait_for(contained, timeout=30)["inline"] == ["keycheck-deny-all"]
