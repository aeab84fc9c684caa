"""The one redaction every sink applies: logs, Slack, files, S3 evidence and the store.

What goes: AWS secret access keys (40 base64 characters with both cases), AWS session
tokens (by their prefixes, or by the name they are given), Slack tokens and webhook
URLs, GitHub tokens, bearer tokens and PEM private key blocks. What stays: access key
ids (AKIA/ASIA), the one thing responders need to read.

Every pattern matches neither a double quote nor a backslash escape other than `\\n`-like
ones, so redacting serialised JSON or CSV text leaves it parseable: the store and the
file writers redact their text once rather than walking every value.

Every sink pays for this on every text, so it must cost little where there is no secret:
a timeline's JSON of 12 MB took 2.4 s through nine regular expressions, each trying every
position. Every pattern but the AWS secret's begins with a fixed text (or looks behind for
one), so it is tried only where a byte search finds that text, and not at all where it
finds none. The AWS secret, a run of exactly 40 base64 characters, is found by searching
the text's bytes marked base64 or not for 40 in a row. The result is each pattern's `sub`
in turn, as before (`tests/unit/domain/test_redact_anchored.py` holds them to it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache
from typing import Any

REDACTED = "[redacted]"


class _Rule:
    """A pattern, and where its matches can start: `(text, shifts)` for a match starting
    a shift's characters before an occurrence of `text` (after it, for a negative one).
    A long anchor is found sooner than a short one: a search skips by its length. (A plain
    class: a NamedTuple's creation cost every command 2 ms of start-up.)"""

    __slots__ = ("anchors", "source")

    def __init__(self, source: str, anchors: tuple[tuple[str, tuple[int, ...]], ...]) -> None:
        self.source, self.anchors = source, anchors

    @property
    def folded(self) -> bool:
        """Case-insensitive: its anchors are sought in the lower-cased text."""
        return self.source.startswith("(?i)")


# STS session tokens: IQoJb3JpZ2lu ("\x21\x0a\x09origin"), AgoJb3JpZ2lu, FwoGZXIvYXdz,
# FQoGZXIvYXdz, AQoDYXdz are how every generation of them starts.
_STS = "IQoJb3JpZ2lu|AgoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz"
_RULES = (
    # PEM private keys; inside JSON the line breaks are `\n` escapes, kept within one string.
    _Rule(
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"
        r"(?:[^\"\\-]|\\[nrt/\\]|-(?!----END))*"
        r"(?:-----END [A-Z0-9 ]*PRIVATE KEY-----)?",
        (("-----BEGIN ", (0,)),),
    ),
    _Rule(
        rf"(?:{_STS})[A-Za-z0-9/+=%]{{16,}}",
        (("b3JpZ2lu", (4,)), ("oGZXIvYXdz", (2,)), ("AQoDYXdz", (0,))),
    ),
    # A value named as a token or secret, whatever its shape (`"sessionToken": "..."`).
    _Rule(
        r"(?i)(?P<lead>(?:session|security)[_-]?token[\"']?\s*[:=]\s*[\"']?)"
        r"[A-Za-z0-9/+=%._-]{16,}",
        (("token", (7, 8, 9)),),
    ),
    _Rule(
        r"(?i)(?P<lead>secret[_-]?access[_-]?key[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9/+=]{16,}",
        (("secret", (0,)),),
    ),
    # Slack: bot, user, app-level, refresh and rotating tokens; incoming webhook paths.
    _Rule(r"\bx(?:ox[a-z](?:\.xox[a-z])?|app)-[A-Za-z0-9-]{6,}", (("xox", (0,)), ("xapp-", (0,)))),
    _Rule(
        r"(?<=hooks\.slack\.com/)(?:services|workflows|triggers)/[A-Za-z0-9/_-]+",
        (("hooks.slack.com/", (-16,)),),
    ),
    # GitHub tokens, and any bearer credential in a header that was logged.
    _Rule(
        r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})",
        (("gh", (0,)), ("github_pat_", (0,))),
    ),
    _Rule(r"(?<=Bearer )[A-Za-z0-9._~+/-]{16,}=*", (("Bearer ", (-7,)),)),
)
# No pattern matches in a shorter text: `xoxb-` and six characters is the least.
SHORTEST = 11
# The characters besides ASCII letters that a case-insensitive pattern takes for a letter
# of the anchors "token" and "secret" (the Kelvin sign for k, the long s for s): where one
# occurs, the lower-cased ASCII text could miss an anchor, so the pattern runs everywhere.
FOLDS = frozenset("\u212a\u017f")
# An AWS secret is a run of exactly 40 of these, not part of a longer run and not followed
# by `=`, with both cases, as a random secret has (a hex digest or an upper-case id of 40
# has one case only and is left alone).
_BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+")
# Every byte of a text, marked 1 when it is base64, else 0.
_MARKS = bytes(chr(byte) in _BASE64 for byte in range(256))
_FORTY = b"\x01" * 40

_Anchors = tuple[tuple[bytes, tuple[int, ...]], ...]
_Compiled = tuple[re.Pattern[str], bool, _Anchors]


@cache
def _compiled() -> tuple[_Compiled, ...]:
    """Compiled at the first redaction, not at import: a command that never writes a secret
    (an offline analysis) starts 4 ms sooner."""
    return tuple(
        (re.compile(rule.source), rule.folded, tuple((a.encode(), n) for a, n in rule.anchors))
        for rule in _RULES
    )


def _replace(match: re.Match[str]) -> str:
    """Keep the name of a named value (`sessionToken": "`) so the text around still reads."""
    return (match.groupdict().get("lead") or "") + REDACTED


def _ascii(text: str) -> bytes:
    """The text as bytes, one per character (`?` for any beyond ASCII): indices agree, and
    every anchor, being ASCII, is found at the same place in both."""
    return text.encode("ascii") if text.isascii() else text.encode("ascii", "replace")


def _starts(probe: bytes, anchors: _Anchors) -> list[int]:
    """Where a match may start, in order: the anchors' occurrences, shifted."""
    found: list[int] = []
    for anchor, shifts in anchors:
        at = probe.find(anchor)
        while at != -1:
            found += (at - shift for shift in shifts)
            at = probe.find(anchor, at + 1)
    return sorted(set(found)) if found else found


def _sub_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> str:
    """`pattern.sub` for a pattern that can match only at `starts`: left to right, each
    match tried where `sub` would try it (look-behinds see the text before), none
    overlapping."""
    pieces: list[str] = []
    end = 0
    for start in starts:
        match = pattern.match(text, start) if start >= end else None
        if match is not None:
            pieces += (text[end:start], _replace(match))
            end = match.end()
    return "".join((*pieces, text[end:])) if pieces else text


def _redact_aws_secrets(text: str, raw: bytes) -> str:
    """Every AWS secret replaced: the runs of 40 found by searching the marks for 40 ones,
    each then checked for its length, what follows it and its cases."""
    marks = raw.translate(_MARKS)
    pieces: list[str] = []
    end, start = 0, marks.find(_FORTY)
    while start != -1:
        stop = marks.find(b"\x00", start + 40)
        stop = len(marks) if stop == -1 else stop
        run = text[start:stop]
        if (
            stop - start == 40
            and text[stop : stop + 1] != "="
            and run.lower() != run != run.upper()
        ):
            pieces += (text[end:start], REDACTED)
            end = stop
        start = marks.find(_FORTY, stop)
    return "".join((*pieces, text[end:])) if pieces else text


def _redacted(text: str, raw: bytes) -> str:
    """`text` redacted, given its bytes as `_ascii` makes them; the text itself when it
    holds no secret."""
    lowered = b""
    for pattern, folded, anchors in _compiled():
        if folded and not text.isascii() and any(fold in text for fold in FOLDS):
            redacted = pattern.sub(_replace, text)
        elif folded:
            lowered = lowered or raw.lower()
            redacted = _sub_at(pattern, text, _starts(lowered, anchors))
        else:
            redacted = _sub_at(pattern, text, _starts(raw, anchors))
        if redacted is not text:
            text, raw, lowered = redacted, _ascii(redacted), b""
    return _redact_aws_secrets(text, raw) if len(text) >= 40 else text


def redact_secrets(text: str) -> str:
    """Text with every secret replaced by `[redacted]`; access key ids are kept."""
    return text if len(text) < SHORTEST else _redacted(text, _ascii(text))


def redact_bytes(data: bytes) -> bytes:
    """A file's content redacted; bytes that are not UTF-8 pass through unchanged around it.
    The same bytes come back when nothing was redacted: a file is not copied to be kept."""
    if len(data) < SHORTEST:
        return data
    ascii_only = data.isascii()
    text = data.decode("ascii") if ascii_only else data.decode(errors="surrogateescape")
    redacted = _redacted(text, data if ascii_only else _ascii(text))
    return data if redacted is text else redacted.encode(errors="surrogateescape")


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
