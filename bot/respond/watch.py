"""A watch after containment: the contained key's trail, read for a while, in one edited message.

Denied retries are counted by source address in one thread message, edited in place; a
call that succeeded after the cut-off is broadcast to the channel at once. The watch is
a row in the store, so a restart picks it up where the last poll left it, and each poll
holds a lease on it, so of several replicas one polls it at a time.

CloudTrail hands an event to LookupEvents up to about 15 minutes after the call, so each
poll reads again the quarter hour before the last one's end and counts an event once,
by its id. A poll whose broadcast did not reach Slack is not saved: the next one finds
the same calls and tries again, so a successful call is never dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from bot.analysis.chains import minted_key
from bot.aws.cloudtrail import lookup_events
from bot.aws.ratelimit import LOOKUP_BUCKETS
from bot.aws.regions import enabled_regions
from bot.aws.sessions import Sessions
from bot.domain.actions import watch_id
from bot.errors import KeycheckError
from bot.models import (
    ActionKind,
    ActionOutcome,
    ActionState,
    DeniedFrom,
    TimelineEvent,
    Watch,
    utcnow,
)
from bot.slack.messenger import Messenger
from bot.slack.watch_blocks import success_message, watch_message
from bot.store import Store, lease_owner

log = logging.getLogger(__name__)

WATCH_MINUTES = 30
POLL_SECONDS = 60.0
DELIVERY_SLACK = timedelta(minutes=15)
# Successes broadcast one by one per poll; past these, the watch's message counts the rest.
MAX_BROADCASTS = 5
# A poller that died frees its watches after this long; a live one renews at every poll.
LEASE_SECONDS = 180.0
# What a watch starts on: the actions that cut the key off (an undo puts access back).
CUTTING = frozenset(
    {
        ActionKind.DEACTIVATE_KEY,
        ActionKind.ATTACH_DENY_ALL,
        ActionKind.REVOKE_SESSIONS,
        ActionKind.CONTAIN_ALL,
        ActionKind.DISABLE_CONSOLE_LOGIN,
    }
)


def tally(
    watch: Watch, events: Iterable[TimelineEvent], read_from: datetime
) -> list[TimelineEvent]:
    """Count what is new since the last poll into `watch`; return the calls that succeeded.

    Pure: every event after the cut-off is counted once by its id; ids older than
    `read_from` can never be read again, so they are forgotten. CloudTrail times are to
    the second, so a call in the cut-off's own second counts as after it.
    """
    cutoff = watch.cutoff.replace(microsecond=0)
    denied = {d.source_ip: d for d in watch.denied}
    succeeded: list[TimelineEvent] = []
    for event in sorted(events, key=lambda e: e.time):
        if event.event_id in watch.seen or event.time < cutoff:
            continue
        watch.seen[event.event_id] = event.time
        if not event.error_code:
            succeeded.append(event)
            watch.succeeded.append(event.event_id)
            continue
        address = event.source_ip or "an unknown address"
        tally_of = denied.setdefault(
            address, DeniedFrom(source_ip=address, first=event.time, last=event.time)
        )
        tally_of.count += 1
        tally_of.first, tally_of.last = (
            min(tally_of.first, event.time),
            max(tally_of.last, event.time),
        )
    watch.denied = sorted(denied.values(), key=lambda d: (-d.count, d.source_ip))
    forget_before = read_from.replace(microsecond=0)
    watch.seen = {i: t for i, t in watch.seen.items() if t >= forget_before}
    for event in succeeded:
        minted = minted_key(event)
        if minted is not None and minted.key_id not in watch.keys:
            watch.keys.append(minted.key_id)
    return succeeded


class Watcher:
    """Starts watches when containment is done, and polls the live ones from the process loop."""

    def __init__(
        self,
        store: Store,
        sessions: Sessions,
        messenger: Messenger,
        *,
        channel: str,
        minutes: int = WATCH_MINUTES,
        poll_seconds: float = POLL_SECONDS,
        clock: Callable[[], datetime] = utcnow,
        regions: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.messenger = messenger
        self.channel = channel
        self.minutes = minutes
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.regions = regions or self._enabled_regions
        self.owner = lease_owner()
        self._held: set[str] = set()

    def after_containment(self, outcome: ActionOutcome) -> None:
        """The responder's hook: a containment that changed something starts (or extends) one."""
        record = outcome.record
        done = any(s.state is ActionState.DONE for s in outcome.steps)
        if record is None or record.undo_of or record.action not in CUTTING or not done:
            return
        try:
            self.start(
                record.target,
                record.account_id,
                incident_id=record.incident_id,
                started_by=record.actor,
            )
        except (
            Exception
        ):  # the containment is done and recorded: a missing watch must not undo that
            log.exception("watch on %s not started", record.target)

    def start(
        self,
        key_id: str,
        account_id: str,
        *,
        incident_id: str = "",
        minutes: int | None = None,
        started_by: str = "",
    ) -> Watch:
        """A watch from now for `minutes`; one already live on the key is extended instead."""
        now = self.clock()
        until = now + timedelta(minutes=minutes or self.minutes)
        existing = self.store.get_watch(watch_id(account_id, key_id))
        if existing is not None and not existing.ended:
            existing.until = max(existing.until, until)
            self.store.save_watch(existing)
            return existing
        incident = self.store.get_incident(incident_id) if incident_id else None
        watch = Watch(
            id=watch_id(account_id, key_id),
            access_key_id=key_id,
            account_id=account_id,
            incident_id=incident.id if incident else "",
            cutoff=now,
            until=until,
            keys=[key_id],
            regions=self.regions(account_id),
            started_by=started_by,
            channel=(incident.channel if incident else "") or self.channel,
            thread_ts=incident.thread_ts if incident else "",
        )
        self.store.save_watch(watch)
        return watch

    def poll_due(self) -> list[Watch]:
        """Poll every live watch this process holds (or can take) the lease of."""
        polled = [self._leased(watch) for watch in self.store.active_watches()]
        return [watch for watch in polled if watch is not None]

    def poll_one(self, watch_id: str) -> Watch | None:
        """Poll one watch (the terminal's), if it is live and no other process holds it."""
        watch = self.store.get_watch(watch_id)
        return self._leased(watch) if watch is not None and not watch.ended else None

    def _leased(self, watch: Watch) -> Watch | None:
        lease = f"watch|{watch.id}"
        if not self.store.acquire_lease(lease, self.owner, LEASE_SECONDS):
            return None
        self._held.add(lease)
        try:
            return self.poll(watch)
        except Exception:  # one watch failing must not stop the others; it goes again
            log.exception("watch %s: poll failed", watch.id)
            return None

    def run(self, stopping: threading.Event) -> None:
        """The process loop's watch thread: poll, then wait, until the process stops."""
        while not stopping.is_set():
            try:
                self.poll_due()
            except Exception:  # the store was unreachable: the thread must live to try again
                log.exception("watches not read")
            stopping.wait(self.poll_seconds)

    def poll(self, watch: Watch) -> Watch:
        """Read the watched keys' calls since the last poll, tell Slack, then save."""
        now = self.clock()
        since = watch.cutoff if watch.read_to is None else watch.read_to - DELIVERY_SLACK
        start = max(watch.cutoff, since).replace(microsecond=0)  # CloudTrail's times: seconds
        end = min(now, watch.until + DELIVERY_SLACK)
        after = watch.model_copy(deep=True)
        events, errors = self._read(after, start, end)
        succeeded = tally(after, events, end - DELIVERY_SLACK)
        after.read_to, after.error = end, "; ".join(errors)
        after.ended = now >= watch.until + DELIVERY_SLACK
        for event in succeeded[:MAX_BROADCASTS]:
            self.messenger.post(
                after.channel,
                *success_message(after, event),
                thread_ts=after.thread_ts or None,
                reply_broadcast=bool(after.thread_ts),
            )
        self._show(after, now)
        self.store.save_watch(after)
        if after.ended:
            self._release(f"watch|{watch.id}")
        return after

    def close(self) -> None:
        """At a clean stop: let go of every watch, so a restart or another replica goes on."""
        for lease in list(self._held):
            self._release(lease)

    def _release(self, lease: str) -> None:
        self.store.release_lease(lease, self.owner)
        self._held.discard(lease)

    def _read(
        self, watch: Watch, start: datetime, end: datetime
    ) -> tuple[list[TimelineEvent], list[str]]:
        """Every watched key in every region; a region that fails is named, never skipped."""
        events: list[TimelineEvent] = []
        errors: list[str] = []
        for key in list(watch.keys):
            for region in watch.regions:
                try:
                    client = self.sessions.client("cloudtrail", watch.account_id, region)
                    events += lookup_events(
                        client,
                        attribute_key="AccessKeyId",
                        attribute_value=key,
                        start=start,
                        end=end,
                        bucket=LOOKUP_BUCKETS.get(watch.account_id, region),
                    )
                except (ClientError, BotoCoreError, KeycheckError) as error:
                    errors.append(f"{key} in {region}: {type(error).__name__}")
        return events, errors

    def _show(self, watch: Watch, now: datetime) -> None:
        """Post the watch's message once, then edit it; a failed edit waits for the next poll."""
        text, blocks = watch_message(watch, now)
        try:
            if watch.ts:
                self.messenger.update(watch.channel, watch.ts, text, blocks)
            else:
                watch.ts = self.messenger.post(
                    watch.channel, text, blocks, thread_ts=watch.thread_ts or None
                )
        except KeycheckError as error:
            log.warning("watch %s: message not updated: %s", watch.id, error)

    def _enabled_regions(self, account_id: str) -> list[str]:
        """The regions the timeline reads: every region enabled in the account."""
        try:
            return enabled_regions(self.sessions.client("ec2", account_id, self.sessions.region))
        except (ClientError, BotoCoreError, KeycheckError) as error:
            log.warning(
                "regions of %s not read (%s): watching %s", account_id, error, self.sessions.region
            )
            return [self.sessions.region]
