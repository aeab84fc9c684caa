"""Whatever a `keycheck` process prints is redacted, its refusals of what it was given too.

DESIGN: text that looks like a secret access key is never echoed back. A responder who
pastes a secret, or a Slack token, where an action id, an incident id or a path belongs is
told what was wrong without seeing it printed into the terminal's scrollback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.output import RedactedText

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SLACK = "xoxb-2718281828-3141592653-QwErTyUiOpAsDfGh"


def keycheck(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`keycheck` as a process of its own: what really reaches its standard output and error."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=cwd, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("undo", SECRET), "No action `[redacted]` in the action log"),
        (("undo", SLACK), "No action `[redacted]"),
        (("report", SECRET), "No incident `[redacted]`"),
        (("analyze", f"logs/{SLACK}.json"), "[redacted].json: no such file or directory"),
        (("analyze", "logs", "--format", SECRET), "invalid choice: '[redacted]'"),
    ],
)
def test_a_secret_given_where_an_id_belongs_is_refused_without_being_echoed(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    done = keycheck(tmp_path, *args)
    assert done.returncode == 2
    assert SECRET not in done.stdout + done.stderr
    assert SLACK[:20] not in done.stdout + done.stderr
    assert said in done.stderr


def test_every_attribute_but_writing_is_the_streams_own(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with path.open("w") as stream:
        redacted = RedactedText(stream)
        redacted.write(f"a {SECRET} b\n")
        redacted.flush()
        redacted.buffer.write(f"{SLACK}\n".encode())
        assert redacted.fileno() == stream.fileno()
        assert not redacted.isatty()
    assert path.read_text().splitlines() == ["a [redacted] b", "[redacted]"]
