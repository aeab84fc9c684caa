"""An overflow choice reads back as the press of the button it stands for."""

from __future__ import annotations

from typing import Any

from bot.slack.ids import ActionId, ButtonValue
from handlers.payloads import Click


def choice(value: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": "U0ALICE"},
        "channel": {"id": "C0ALERTS"},
        "container": {"type": "message", "channel_id": "C0ALERTS", "message_ts": "1.2"},
        "actions": [
            {
                "type": "overflow",
                "action_id": ActionId.MORE.value,
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value},
            }
        ],
    }


def test_a_choice_names_its_action_and_carries_the_buttons_value() -> None:
    value = ButtonValue(
        i="inc-1", k="AKIAQ3EGUPZ6BNVKXMLR", a="123456789012", x="kc_deactivate_key"
    )
    click = Click.parse(choice(value.encode()))
    assert click.action_id == ActionId.DEACTIVATE_KEY
    assert ButtonValue.decode(click.value).k == "AKIAQ3EGUPZ6BNVKXMLR"
    assert (click.user, click.channel, click.thread_ts) == ("U0ALICE", "C0ALERTS", "1.2")


def test_a_forged_choice_is_an_unknown_button() -> None:
    assert Click.parse(choice("not json")).action_id == ""
    assert Click.parse(choice(ButtonValue(x=ActionId.MORE.value).encode())).action_id == ""
