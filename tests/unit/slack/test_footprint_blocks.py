"""The Footprint in the thread: every item with its state, and one button that fits Slack."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.analysis.footprint import FootprintItem, FootprintKind
from bot.analysis.report import TimelineReport
from bot.errors import UnknownAction
from bot.slack.footprint import packed, unpacked
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.timeline_blocks import summary_message
from tests.unit.analysis.support import ACCOUNT, KEY, T0

ITEMS = [
    FootprintItem(
        kind=FootprintKind.ACCESS_KEY,
        account_id=ACCOUNT,
        target="backdoor",
        detail="AKIABACKDOORKEY23456",
        event_id="ev-1",
        time=T0,
        by_key=KEY,
        state="Active",
    ),
    FootprintItem(
        kind=FootprintKind.TRUST,
        account_id=ACCOUNT,
        target_type="role",
        target="app",
        detail="arn:aws:iam::999988887777:root",
        event_id="ev-2",
        time=T0,
        by_key=KEY,
        state="still trusted",
    ),
]


def _report(items: list[FootprintItem]) -> TimelineReport:
    return TimelineReport(key_id=KEY, account_id=ACCOUNT, start=T0, end=T0, footprint=items)


def _button(blocks: list[dict[str, object]]) -> dict[str, object] | None:
    for block in blocks:
        for element in block.get("elements", []):  # type: ignore[attr-defined]
            if element.get("action_id") == ActionId.CONTAIN_FOOTPRINT.value:
                found: dict[str, object] = element
                return found
    return None


def test_the_items_travel_in_the_button_and_come_back_the_same() -> None:
    _, blocks = summary_message(_report(ITEMS), "inc-1")
    button = _button(blocks)
    assert button is not None
    value = ButtonValue.decode(str(button["value"]))
    assert (value.k, value.a, value.i) == (KEY, ACCOUNT, "inc-1")
    back = unpacked(value.f)
    assert [(i.kind, i.target, i.detail) for i in back] == [
        (i.kind, i.target, i.detail) for i in ITEMS
    ]
    text = json.dumps(blocks)
    assert "now *still trusted*" in text


def test_a_footprint_too_large_for_a_button_points_to_the_terminal() -> None:
    many = [
        replace(item, detail=f"AKIA{n:016d}", event_id=f"ev-{n}")
        for n in range(40)
        for item in ITEMS[:1]
    ]
    _, blocks = summary_message(_report(many), "inc-1")
    assert _button(blocks) is None
    assert f"keycheck footprint {KEY} --contain" in json.dumps(blocks)


def test_a_forged_footprint_value_is_refused() -> None:
    with pytest.raises(UnknownAction):
        unpacked([["access-key", ACCOUNT, "user"]])
    assert packed(unpacked(packed(ITEMS))) == packed(ITEMS)
