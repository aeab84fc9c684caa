"""The one redaction every sink applies: logs, Slack, files, S3 evidence and the store.

What goes: AWS secret access keys (40 base64 characters with both cases), AWS session
tokens (by their prefixes, or by the name they are given), Slack tokens and webhook
URLs, GitHub tokens, bearer tokens and PEM private key blocks. What stays: access key
ids (AKIA/ASIA), the one thing responders need to read.

Every pattern matches neither a double quote nor a backslash escape other than `\\n`-like
ones, so redacting serialised JSON or CSV text leaves it parseable: the store and the
file writers redact their text once rather than walking every value.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache
from typing import Any

REDACTED = "[redacted]"

_B64 = r"A-Za-z0-9/+"
# A run of exactly 40, not part of a longer run; both cases, as a random secret has
# (a hex digest or an upper-case id of 40 has one case only and is left alone).
_AWS_SECRET = rf"(?<![{_B64}])(?=[{_B64}]*[a-z])(?=[{_B64}]*[A-Z])[{_B64}]{{40}}(?![{_B64}=])"
_SOURCES = (
    # PEM private keys; inside JSON the line breaks are `\n` escapes, kept within one string.
    (
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"
        r"(?:[^\"\\-]|\\[nrt/\\]|-(?!----END))*"
        r"(?:-----END [A-Z0-9 ]*PRIVATE KEY-----)?"
    ),
    # STS session tokens: IQoJb3JpZ2lu ("\x21\x0a\x09origin"), FwoGZXIvYXdz, FQoGZXIvYXdz,
    # AQoDYXdz are how every generation of them starts.
    r"(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz|AgoJb3JpZ2lu)[A-Za-z0-9/+=%]{16,}",
    # A value named as a token or secret, whatever its shape (`"sessionToken": "..."`).
    (
        r"(?i)(?P<lead>(?:session|security)[_-]?token[\"']?\s*[:=]\s*[\"']?)"
        r"[A-Za-z0-9/+=%._-]{16,}"
    ),
    r"(?i)(?P<lead>secret[_-]?access[_-]?key[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9/+=]{16,}",
    # Slack: bot, user, app-level, refresh and rotating tokens; incoming webhook paths.
    r"\bx(?:ox[a-z](?:\.xox[a-z])?|app)-[A-Za-z0-9-]{6,}",
    r"(?<=hooks\.slack\.com/)(?:services|workflows|triggers)/[A-Za-z0-9/_-]+",
    # GitHub tokens, and any bearer credential in a header that was logged.
    r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})",
    r"(?<=Bearer )[A-Za-z0-9._~+/-]{16,}=*",
    _AWS_SECRET,
)


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """Compiled at the first redaction, not at import: a command that never writes a secret
    (an offline analysis) starts 4 ms sooner."""
    return tuple(re.compile(source) for source in _SOURCES)


def _replace(match: re.Match[str]) -> str:
    """Keep the name of a named value (`sessionToken": "`) so the text around still reads."""
    return (match.groupdict().get("lead") or "") + REDACTED


def redact_secrets(text: str) -> str:
    """Text with every secret replaced by `[redacted]`; access key ids are kept."""
    for pattern in _patterns():
        text = pattern.sub(_replace, text)
    return text


def redact_bytes(data: bytes) -> bytes:
    """A file's content redacted; bytes that are not UTF-8 pass through unchanged around it."""
    text = data.decode(errors="surrogateescape")
    return redact_secrets(text).encode(errors="surrogateescape")


def redact_value(value: Any) -> Any:
    """A copy of a JSON-like value (Block Kit, a view) with every string redacted."""
    if isinstance(value, str):
        return redact_secrets(value)
    if isinstance(value, bytes):
        return redact_bytes(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(item) for item in value)
    return value


class RedactingFactory:
    """A log record factory whose records carry their message and traceback redacted.

    Redacting where records are made, not in one handler, means every handler (stderr, a
    file, pytest's capture, whatever a library adds) gets the redacted record.
    """

    def __init__(self, make: Callable[..., logging.LogRecord]) -> None:
        self.make = make

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not raise in the caller: show it all
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact_secrets(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_secrets(_FORMATTER.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info)
        return record


def install_log_redaction() -> None:
    """Make every log record of this process redacted (once, however often called)."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, RedactingFactory):
        logging.setLogRecordFactory(RedactingFactory(current))


_FORMATTER = logging.Formatter()
