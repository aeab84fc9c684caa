"""What a command prints, redacted: standard output and error, text and bytes alike.

A command echoes what it was given when it refuses it (a path, an action id, an incident
id), and prints what IAM, CloudTrail or a file held. A responder who pastes a Slack token
or a secret access key where an id belongs must not see it printed back into a terminal
whose scrollback goes into the incident's ticket; nor may a record's secret reach a file
that output is redirected to. Each write is redacted as it passes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, TextIO, cast

from bot.domain.redact import redact_bytes, redact_secrets


class RedactedBytes:
    """A binary stream whose every write is redacted; the rest is the stream's own."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        return self._stream.write(redact_bytes(data))

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


class RedactedText:
    """A text stream whose every write is redacted, and whose bytes (`buffer`) are too."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(redact_secrets(text))

    @property
    def buffer(self) -> BinaryIO:
        return cast(BinaryIO, RedactedBytes(self._stream.buffer))

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


@contextmanager
def redacted_output() -> Iterator[None]:
    """Standard output and error redacted while a command runs, its refusals included."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cast(TextIO, RedactedText(out)), cast(TextIO, RedactedText(err))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
