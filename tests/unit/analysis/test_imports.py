"""The offline analysis loads none of the AWS, Slack or pydantic machinery: start-up is most of
a run."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import bot.analysis
from tests.unit.analysis.support import FIXTURES, KEY, REPO

HEAVY = (
    "boto3",
    "botocore",
    "slack_sdk",
    "slack_bolt",
    "pydantic",
    "pydantic_settings",
    "tenacity",
)
REPORT = f"import sys; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"


def _loaded(code: str, where: Path) -> str:
    """What of HEAVY a fresh interpreter has loaded after running `code` (no settings set)."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{REPORT}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=where,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )
    return done.stdout.strip().splitlines()[-1]


def test_no_analysis_module_imports_aws_or_slack(tmp_path: Path) -> None:
    modules = [f"bot.analysis.{m.name}" for m in pkgutil.iter_modules(bot.analysis.__path__)]
    assert len(modules) > 10
    assert _loaded(f"import {', '.join(modules)}", tmp_path) == "[]"


def test_keycheck_analyze_imports_none_of_them_from_start_to_end(tmp_path: Path) -> None:
    seed = FIXTURES / "seed-recon.json"
    words = ["analyze", str(seed), "--key", KEY, "--format", "json"]
    run = f"from bot.cli.main import main; main({words!r})"
    assert _loaded(run, tmp_path) == "[]"


def test_the_other_subcommands_still_load_what_they_need(tmp_path: Path) -> None:
    """The check above is not vacuous: a subcommand that calls AWS does load boto3."""
    assert "boto3" in _loaded("import bot.cli.contain", tmp_path)
