"""Small text helpers for Slack: mrkdwn escaping, code spans, UTC times, safe truncation."""

from __future__ import annotations

import re
from datetime import datetime

from bot.domain.redact import redact_secrets
from bot.events import in_utc

ELLIPSIS = "…"
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f\u061c\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+"
)
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}\Z")
_SAFE_URL = re.compile(r"\Ahttps://[A-Za-z0-9.-]+(?::443)?(?:/[^\s<>|`\"']*)?\Z")


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control: `<!channel>` must not ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, marking the cut with an ellipsis."""
    if limit <= 0:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def one_line(text: str) -> str:
    """Collapse newlines and invisible control characters that could forge card lines."""
    return " ".join(_CONTROL.sub(" ", text).split())


def clean(text: str, limit: int = 200) -> str:
    """A user-controlled value made safe for mrkdwn: secrets redacted, one line, escaped."""
    return escape(truncate(one_line(redact_secrets(text)), limit))


def code(text: str, limit: int = 200) -> str:
    """An inline code span an attacker's backticks cannot break out of; `—` when empty."""
    value = truncate(one_line(redact_secrets(text)), limit).replace("`", "ˋ")
    return f"`{escape(value)}`" if value else "—"


def code_block(text: str, limit: int = 1500) -> str:
    """A fenced block for raw JSON; newlines kept, fences and secrets neutralised."""
    value = truncate(redact_secrets(text), limit).replace("```", "ˋˋˋ")
    value = _CONTROL.sub(lambda m: m.group(0) if m.group(0) in {"\n", "\t"} else " ", value)
    return f"```{escape(value)}```"


def plain(text: str, limit: int) -> str:
    """Text for a plain_text object: no mrkdwn, but still no secrets or angle brackets."""
    value = one_line(redact_secrets(text)).replace("<", "‹").replace(">", "›")
    return truncate(value, limit)


def fit(mrkdwn: str, limit: int) -> str:
    """Final guard on an assembled mrkdwn string: cut without half an entity or an open fence."""
    if len(mrkdwn) <= limit:
        return mrkdwn
    head = _PARTIAL_ENTITY.sub("", mrkdwn[: max(0, limit - 4)]).rstrip("`")
    return head + ELLIPSIS + ("```" if head.count("```") % 2 else "")


def link(url: str, limit: int = 300) -> str:
    """A clickable https link showing its own address, or a code span for anything odd."""
    safe = redact_secrets(url)
    if _SAFE_URL.match(safe) and len(safe) <= limit:
        return f"<{escape(safe)}>"
    return code(url, limit)


def utc_time(moment: datetime) -> str:
    """`12:14:05 UTC`: the zone is always written so nobody reads it as local time."""
    return in_utc(moment).strftime("%H:%M:%S UTC")


def utc_datetime(moment: datetime) -> str:
    """`2024-05-01 12:14:05 UTC`."""
    return in_utc(moment).strftime("%Y-%m-%d %H:%M:%S UTC")


def local_time(moment: datetime, *, date: bool = True, ago: bool = False) -> str:
    """A time each reader sees in their own timezone (Slack's date formatting), in mrkdwn.

    The UTC text is the fallback, for clients and notifications that cannot localise; files
    and logs keep UTC alone. `ago` adds Slack's relative time ("12 minutes ago").
    """
    tokens = "{date_short_pretty} {time_secs}" if date else "{time_secs}"
    if ago:
        tokens += " ({ago})"
    fallback = utc_datetime(moment) if date else utc_time(moment)
    return f"<!date^{int(in_utc(moment).timestamp())}^{tokens}|{fallback}>"


def age_days(created: datetime, now: datetime) -> int:
    """Whole days between two times, never negative (clock skew between AWS and us)."""
    return max(0, (in_utc(now) - in_utc(created)).days)
