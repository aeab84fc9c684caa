"""The `keycheck` command: only the subcommand asked for is imported, and terminal words."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import SUBCOMMANDS, build_parser, main

REPO = Path(__file__).resolve().parents[3]


def imported_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_a_subcommand_does_not_import_the_others() -> None:
    modules = imported_after("from bot.cli.main import build_parser; build_parser(['undo'])")
    assert "bot.cli.undo" in modules
    others = {f"bot.cli.{name}" for name in SUBCOMMANDS} - {"bot.cli.undo"}
    assert modules.isdisjoint(others)
    assert "slack_bolt" not in modules


def test_help_lists_every_subcommand_with_its_own_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out
    full = build_parser([])
    lone = build_parser(["check"])
    for parser in (full, lone):
        choices = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        assert set(choices) == set(SUBCOMMANDS)


def test_a_malformed_key_is_explained_for_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "AKIA-not-a-key"]) == 2
    err = capsys.readouterr().err
    assert "is not an access key id" in err and "AKIA or ASIA" in err
    assert "/keycheck" not in err


def test_without_aws_credentials_check_says_what_is_missing(tmp_path: Path) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") and not name.startswith("KEYCHECK_")
    }
    env |= {
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", "AKIAQWERTYUIOPASDFGH"],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "No AWS credentials were found" in result.stdout
    assert "AWS_PROFILE" in result.stdout and "AWS_ACCESS_KEY_ID" in result.stdout
    assert "try again" not in result.stdout and "/keycheck" not in result.stdout
