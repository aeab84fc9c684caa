"""One registration for a card action, whether pressed as a button or chosen from the menu.

An overflow menu sends its own action id (`kc_more`) with the chosen option's value; that
value carries the button's value and the chosen action (see `bot.slack.card_actions`).
`Click.parse` reads both back, and the choice is routed to the very listener, middleware
included, that the button has: a stranger's choice is refused exactly as a press. Every
action a card can offer registers here, so it works from the menu as from a button.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import App

from bot.slack.ids import ActionId
from handlers.payloads import Click

Matcher = Callable[[dict[str, Any]], bool]


def chose(action: ActionId) -> Matcher:
    """Matches an overflow choice of `action`."""

    def matches(body: dict[str, Any]) -> bool:
        return Click.parse(body).action_id == action.value

    matches.__name__ = f"chose_{action.name.lower()}"
    return matches


def on_action(
    app: App,
    action: ActionId,
    *,
    ack: Callable[..., None],
    lazy: Sequence[Callable[..., None]],
    middleware: Sequence[Callable[..., Any]] | None = None,
) -> None:
    """Register `ack` and `lazy` for the button `action` and for its overflow choice."""
    chain = list(middleware or [])
    app.action(action.value, middleware=chain)(ack=ack, lazy=list(lazy))
    app.action(ActionId.MORE.value, matchers=[chose(action)], middleware=chain)(
        ack=ack, lazy=list(lazy)
    )
