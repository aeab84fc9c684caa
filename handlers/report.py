"""The Report button: the incident written up, uploaded to its thread and the evidence bucket."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.messenger import Place
from handlers.hop import ack_now, in_background
from handlers.middleware import guarded, needs_incident
from handlers.payloads import Click
from handlers.results import place_for


def register(app: App, services: Services) -> None:
    app.action(ActionId.REPORT.value, middleware=guarded(services, needs_incident))(
        ack=ack_now, lazy=[in_background(app, services, write_report, read_only=True)]
    )


def write_report(services: Services, click: Click, value: ButtonValue) -> None:
    document, notes = services.reports.publish(value.i)
    place, _ = place_for(services, value.i, Place(click.channel, click.thread_ts or None))
    where = "; ".join(notes) or "written, but there was nowhere to share it"
    text = f"📄 <@{click.user}> asked for the report: {document.name} {where}."
    services.messenger.post_to(place, (text, []))
