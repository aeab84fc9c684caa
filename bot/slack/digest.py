"""The thread's one reply for repeats: edited in place as they come, never one per alert."""

from __future__ import annotations

from bot.alerts.story import Repeats
from bot.slack.blocks import Message, context, section
from bot.slack.format import clean, code, local_time, utc_time

MAX_LINES = 10


def _name(group: Repeats) -> str:
    alert = group.sample
    return alert.event_name or alert.rule or alert.title


def _line(group: Repeats, *, mrkdwn: bool) -> str:
    """`27 more GetCallerIdentity from 27 addresses since 03:12`."""
    name = code(_name(group), 80) if mrkdwn else clean(_name(group), 80)
    count = len(group.addresses)
    where = f" from {count} address{'es' if count != 1 else ''}" if count else ""
    since = ""
    if group.since is not None:
        since = f" since {local_time(group.since, date=False) if mrkdwn else utc_time(group.since)}"
    return f"{group.count} more {name}{where}{since}"


def digest_message(groups: list[Repeats]) -> Message:
    """(fallback text, blocks) counting every repeat since the thread's last news."""
    shown = groups[:MAX_LINES]
    lines = [f"🔁 {_line(g, mrkdwn=True)}" for g in shown]
    if len(groups) > MAX_LINES:
        lines.append(f"…and {len(groups) - MAX_LINES} more kinds of repeat, counted on the card")
    note = "Repeats of an alert already in this thread are counted here, not posted one by one."
    note += " While the incident is acknowledged, they are only counted on the card."
    text = "; ".join(_line(g, mrkdwn=False) for g in shown)
    return text, [section("\n".join(lines), verbatim=True), context(note, verbatim=True)]
