"""The Footprint's "Contain everything it left behind": a modal that lists every change first.

Responders only; the plan is made from the items the button carries (no AWS call before
the modal opens, so the 3-second trigger is met), and the change runs on submission,
with a reason, through the same pipeline as the card's buttons (handlers/views.py).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.errors import KeycheckError
from bot.models import ActionKind
from bot.respond.containment import footprint_plan
from bot.services import Services
from bot.slack.footprint import unpacked
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.modals import ConfirmRequest, footprint_modal
from handlers.hop import ack_now, tell_click
from handlers.middleware import guarded, needs_key
from handlers.payloads import Click


def register(app: App, services: Services) -> None:
    app.action(ActionId.CONTAIN_FOOTPRINT.value, middleware=guarded(services, needs_key))(
        ack=ack_now, lazy=[lambda body: open_footprint(services, body)]
    )


def open_footprint(services: Services, body: dict[str, Any]) -> None:
    click = Click.parse(body)
    value = ButtonValue.decode(click.value)
    request = ConfirmRequest(
        action=ActionKind.CONTAIN_FOOTPRINT,
        key_id=value.k,
        account_id=value.a,
        incident_id=value.i,
        channel=click.channel,
        thread_ts=click.thread_ts,
        items=value.f,
    )
    try:
        steps, left = footprint_plan(unpacked(value.f))
        if not steps:
            raise KeycheckError("Nothing it left behind can be contained from Slack.")
        services.messenger.open_view(click.trigger_id, footprint_modal(request, steps, left))
    except KeycheckError as error:
        tell_click(services.messenger, click, f"{error} Nothing was changed.")
