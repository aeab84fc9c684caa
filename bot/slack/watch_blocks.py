"""The watch after containment in Block Kit: one edited summary, and a broadcast per success."""

from __future__ import annotations

from datetime import datetime

from bot.models import TimelineEvent, Watch
from bot.slack.blocks import Message, context, section
from bot.slack.format import clean, code, local_time, utc_time

MAX_ADDRESSES = 15


def watch_lines(watch: Watch) -> list[str]:
    """What the watch saw, one line each, in plain words (the terminal prints these too)."""
    since = utc_time(watch.cutoff)
    lines = [
        f"{d.count} denied call{'s' if d.count != 1 else ''} from {d.source_ip} since {since}"
        f" (last {utc_time(d.last)})"
        for d in watch.denied[:MAX_ADDRESSES]
    ]
    if len(watch.denied) > MAX_ADDRESSES:
        rest = sum(d.count for d in watch.denied[MAX_ADDRESSES:])
        lines.append(f"{rest} more denied calls from {len(watch.denied) - MAX_ADDRESSES} addresses")
    if watch.succeeded:
        count = len(watch.succeeded)
        lines.append(f"{count} call{'s' if count != 1 else ''} SUCCEEDED after the cut-off")
    if not lines:
        lines.append(f"no calls with the key since {since}")
    if watch.error:
        lines.append(f"not read: {watch.error}")
    return lines


def watch_head(watch: Watch, now: datetime) -> str:
    keys = len(watch.keys) - 1
    reached = f" and {keys} key{'s' if keys != 1 else ''} it reached" if keys > 0 else ""
    if watch.ended:
        return f"Watch on {watch.access_key_id}{reached} ended at {utc_time(watch.until)}"
    return f"Watching {watch.access_key_id}{reached} until {utc_time(watch.until)}"


def watch_message(watch: Watch, now: datetime) -> Message:
    """The one thread message a watch edits at every poll."""
    icon = ":rotating_light:" if watch.succeeded else ":eyes:"
    head = watch_head(watch, now)
    text = f"{head}: " + "; ".join(watch_lines(watch))
    lines = "\n".join(f"• {clean(line, 300)}" for line in watch_lines(watch))
    blocks = [
        section(f"{icon} *{clean(head, 300)}*\n{lines}"),
        context(
            f"Cut-off {local_time(watch.cutoff)} · {len(watch.regions)} regions · "
            f"read to {local_time(watch.read_to) if watch.read_to else 'not yet'} · "
            "CloudTrail can take 15 minutes to show a call"
        ),
    ]
    return clean(text, 3000), blocks


def success_message(watch: Watch, event: TimelineEvent) -> Message:
    """A call that worked after containment: said at once, to the whole channel."""
    where = f"{event.event_source.removesuffix('.amazonaws.com')}:{event.event_name}"
    text = (
        f"A call with {event.access_key_id or watch.access_key_id} SUCCEEDED after containment: "
        f"{where} from {event.source_ip or 'an unknown address'} at {utc_time(event.time)} "
        f"in {event.region or 'an unknown region'}"
    )
    line = (
        f":rotating_light: A call with {code(event.access_key_id or watch.access_key_id)} "
        f"*succeeded* after containment: {code(where, 120)} from "
        f"{code(event.source_ip or 'unknown', 60)} at {local_time(event.time)} in "
        f"{clean(event.region or 'unknown', 40)}"
    )
    facts = f"event {code(event.event_id, 80)} · cut-off {local_time(watch.cutoff)}"
    return clean(text, 3000), [section(line), context(facts)]
