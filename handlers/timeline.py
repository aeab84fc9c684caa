"""The Timeline button: acknowledged at once, the timeline fetched and posted in the thread.

The button is read-only: any member of the channel may press it (containment buttons,
including the Contain buttons on the keys the timeline finds, are authorised elsewhere).
A second press while the fetch runs, on this replica or another, is told so. The fetch
runs on the read-only threads, never the ones containment runs on.
"""

from __future__ import annotations

from slack_bolt import App

from bot.domain.keys import parse_key_id
from bot.errors import KeycheckError
from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue
from handlers.hop import ack_now, in_background
from handlers.payloads import Click


def register(app: App, services: Services) -> None:
    app.action(ActionId.TIMELINE.value)(
        ack=ack_now, lazy=[in_background(app, services, fetch_timeline, read_only=True)]
    )


def fetch_timeline(services: Services, click: Click, value: ButtonValue) -> None:
    incident = services.store.get_incident(value.i) if value.i else None
    if incident is None:
        raise KeycheckError("That incident is no longer in keycheck's store.")
    key_id = parse_key_id(value.k or incident.access_key_id)
    services.timelines.post(incident, key_id, value.a or incident.account_id)
