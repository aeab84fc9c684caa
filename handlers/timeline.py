"""The Timeline button: acknowledged at once, the timeline fetched and posted in the thread.

The button is read-only: any member of the channel may press it (containment buttons,
including the Contain buttons on the keys the timeline finds, are authorised elsewhere).
A second press while the fetch runs, on this replica or another, is told so. On a
`/keycheck` report with no incident, the timeline goes under that report. The fetch
runs on the read-only threads, never the ones containment runs on.
"""

from __future__ import annotations

from slack_bolt import App

from bot.domain.keys import parse_key_id
from bot.errors import KeycheckError
from bot.models import Incident
from bot.respond.lookup import report_incident
from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue
from handlers.choices import on_action
from handlers.hop import ack_now, in_background
from handlers.payloads import Click


def register(app: App, services: Services) -> None:
    on_action(
        app,
        ActionId.TIMELINE,
        ack=ack_now,
        lazy=[in_background(app, services, fetch_timeline, read_only=True)],
    )


def fetch_timeline(services: Services, click: Click, value: ButtonValue) -> None:
    incident = _incident(services, click, value)
    key_id = parse_key_id(value.k or incident.access_key_id)
    account_id = value.a or incident.account_id
    services.timelines.post(incident, key_id, account_id, asked_by=click.user)


def _incident(services: Services, click: Click, value: ButtonValue) -> Incident:
    """The button's incident, or the pressed report itself when it belongs to none."""
    if value.i:
        incident = services.store.get_incident(value.i)
        if incident is None:
            raise KeycheckError("That incident is no longer in keycheck's store.")
        return incident
    if not value.k:
        raise KeycheckError("That button names no incident and no key: nothing was fetched.")
    key_id = parse_key_id(value.k)
    return report_incident(key_id, value.a, click.channel, click.message_ts or click.thread_ts)
