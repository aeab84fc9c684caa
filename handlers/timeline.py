"""The Timeline button: acknowledged at once, the timeline fetched and posted in the thread.

The button is read-only: any member of the channel may press it (containment buttons,
including the Contain buttons on the keys the timeline finds, are authorised elsewhere).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_bolt import Ack, App

from bot.errors import KeycheckError
from bot.domain.keys import parse_key_id
from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue
from bot.investigate.post import post_timeline

log = logging.getLogger(__name__)


class _Running:
    """(incident, key) pairs whose timeline is being fetched: a second press waits for the first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: set[tuple[str, str]] = set()

    def claim(self, item: tuple[str, str]) -> bool:
        with self._lock:
            if item in self._keys:
                return False
            self._keys.add(item)
            return True

    def release(self, item: tuple[str, str]) -> None:
        with self._lock:
            self._keys.discard(item)


def _where(body: dict[str, Any]) -> tuple[str, str]:
    channel = (body.get("channel") or {}).get("id", "")
    user = (body.get("user") or {}).get("id", "")
    return str(channel), str(user)


def register(app: App, services: Services) -> None:
    running = _Running()

    def acknowledge(ack: Ack) -> None:
        ack()

    def fetch(body: dict[str, Any], action: dict[str, Any]) -> None:
        channel, user = _where(body)
        try:
            value = ButtonValue.decode(str(action.get("value", "")))
            incident = services.store.get_incident(value.i) if value.i else None
            if incident is None:
                raise KeycheckError("That incident is no longer in keycheck's store.")
            key_id = parse_key_id(value.k or incident.access_key_id)
        except KeycheckError as error:
            services.messenger.ephemeral(channel, user, str(error))
            return
        claim = (incident.id, key_id)
        if not running.claim(claim):
            services.messenger.ephemeral(
                channel,
                user,
                f"The timeline of {key_id} is already being fetched.",
            )
            return
        try:
            post_timeline(services, incident, key_id, value.a or incident.account_id)
        except KeycheckError as error:
            log.warning("timeline of %s failed: %s", key_id, error)
        finally:
            running.release(claim)

    app.action(ActionId.TIMELINE.value)(ack=acknowledge, lazy=[fetch])
