"""What a card offers a responder: its buttons and its overflow menu's choices, by action."""

from __future__ import annotations

from typing import Any

from bot.slack.ids import ActionId, ButtonValue


def _elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in blocks:
        found += block.get("elements", []) if block["type"] == "actions" else []
        if isinstance(block.get("accessory"), dict):
            found.append(block["accessory"])
    return found


def offered(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every action by id (the first of each): a button as drawn, a menu choice as
    `{"action_id", "value", "overflow": True, "option": <its option value>}` whose value
    is the button value it carries without the chosen action."""
    found: dict[str, dict[str, Any]] = {}
    for element in _elements(blocks):
        if element.get("type") == "button":
            found.setdefault(element["action_id"], element)
        if element.get("type") == "overflow":
            assert element["action_id"] == ActionId.MORE
            for option in element["options"]:
                chosen = ButtonValue.decode(option["value"])
                value = chosen.model_copy(update={"x": ""}).encode()
                entry = {"action_id": chosen.x, "value": value, "overflow": True}
                found.setdefault(chosen.x, entry | {"option": option["value"]})
    return found


def button_count(blocks: list[dict[str, Any]]) -> int:
    return sum(1 for e in _elements(blocks) if e.get("type") == "button")
