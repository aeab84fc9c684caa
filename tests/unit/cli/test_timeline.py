"""`keycheck timeline KEY`: the timeline in a terminal, against moto and the stand-in."""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from bot.analysis.report import RegionProgress, RegionResult
from bot.cli.main import main
from bot.cli.timeline import TerminalProgress, since
from bot.standins.cloudtrail import CloudTrailStandIn
from tests.unit.analysis.support import KEY, assume_role, cloudtrail_standin, record
from tests.unit.aws.test_athena import COLUMNS, ROWS, _row, inject

NOW = datetime.now(UTC).replace(microsecond=0)
ASIA = "ASIAPOIUYTREWQLKJHGF"


@pytest.fixture
def trail(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> Iterator[CloudTrailStandIn]:
    monkeypatch.chdir(str(tmp_path))
    with cloudtrail_standin(monkeypatch) as standin:
        day = NOW - timedelta(days=2)
        standin.add_records(
            "us-east-1",
            [
                record("GetCallerIdentity", "sts", when=day),
                assume_role(ASIA, when=day + timedelta(minutes=1)),
            ],
        )
        standin.add_records(
            "eu-west-1",
            [
                record(
                    "DeleteTrail",
                    "cloudtrail",
                    key=ASIA,
                    region="eu-west-1",
                    when=day + timedelta(minutes=3),
                )
            ],
        )
        standin.add_records("us-east-1", [record("ListUsers", when=NOW - timedelta(days=40))])
        yield standin


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["timeline", KEY, "--regions", "us-east-1,eu-west-1", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_json_has_the_window_the_lookups_and_the_minted_keys(
    trail: CloudTrailStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "--format", "json")
    assert status == 0
    body = json.loads(out)
    assert [e["event_name"] for e in body["events"]] == [
        "GetCallerIdentity",
        "AssumeRole",
        "DeleteTrail",
    ]
    assert body["events"][2]["chain"] == [KEY, ASIA]
    assert body["keys"][0]["access_key_id"] == ASIA
    assert {(x["key_id"], x["region"]) for x in body["lookups"]} == {
        (KEY, "us-east-1"),
        (KEY, "eu-west-1"),
        (ASIA, "us-east-1"),
        (ASIA, "eu-west-1"),
    }
    assert body["account_id"] == "123456789012"  # from STS GetAccessKeyInfo


def test_since_bounds_the_window(
    trail: CloudTrailStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    _, recent, _ = run(capsys, "--format", "json")
    _, longer, _ = run(capsys, "--format", "json", "--since", "60d")
    assert "ListUsers" not in {e["event_name"] for e in json.loads(recent)["events"]}
    assert "ListUsers" in {e["event_name"] for e in json.loads(longer)["events"]}


def test_csv_for_spreadsheets(trail: CloudTrailStandIn, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0
    assert [row["event_name"] for row in rows] == ["GetCallerIdentity", "AssumeRole", "DeleteTrail"]
    assert rows[2]["tags"] == "defense_evasion.logging"


def test_progress_goes_to_stderr_a_line_per_lookup_when_not_a_terminal(
    trail: CloudTrailStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, err = run(capsys)
    lines = err.strip().splitlines()
    assert len(lines) == 4
    assert any(line.startswith("us-east-1 ✓ 2 events · ") for line in lines)
    assert "defense_evasion.logging" in out


def test_a_failed_region_makes_the_run_fail_after_printing_what_it_has(
    trail: CloudTrailStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    trail.fail_region(
        "eu-west-1", status=400, code="AccessDeniedException", message="denied by SCP"
    )
    status, out, err = run(capsys)
    assert status == 2
    assert "FAILED" in out
    assert "denied by SCP" in out
    assert "the timeline is incomplete" in err


def test_a_terminal_gets_a_bar_redrawn_in_place() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = TerminalProgress(stream, width=10)
    bar(RegionProgress(result=RegionResult(region="us-east-1", events=3), done=1, total=2))
    bar(RegionProgress(result=RegionResult(region="eu-west-1"), done=2, total=2))
    bar.finish()
    assert stream.getvalue().startswith("\r[#####.....] us-east-1 ✓ 3 events")
    assert "\r[##########] eu-west-1 ✓ 0 events" in stream.getvalue()
    assert stream.getvalue().endswith("\n")


@pytest.mark.parametrize("value", ["30", "0h", "2w"])
def test_since_is_a_duration(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        since(value)
    assert since("12h") == timedelta(hours=12)


def test_a_secret_is_not_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert main(["timeline", secret]) == 2
    out, err = capsys.readouterr()
    assert secret not in out + err


def test_more_than_90_days_needs_athena(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", KEY, "--since", "91d", "--account", "123456789012"]) == 2
    assert "--athena-table" in capsys.readouterr().err


# Past LookupEvents' 90 days, through the trail's table, as JSON.
ATHENA_JSON = (
    *("--since", "400d", "--format", "json"),
    *("--athena-table", "security.cloudtrail_logs", "--athena-output", "s3://athena-results/kc/"),
)


def test_athena_reads_past_90_days_with_the_same_analysis(
    aws: boto3.Session, moto_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    inject(moto_url, ROWS)
    code, out, err = run(capsys, *ATHENA_JSON)
    assert code == 0, err
    body = json.loads(out)
    assert [e["event_name"] for e in body["events"]] == ["GetCallerIdentity", "CreateUser"]
    assert "persistence.user" in body["events"][1]["tags"]
    assert "security.cloudtrail_logs" in err


def test_the_athena_timelines_json_is_redacted(
    aws: boto3.Session, moto_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row of the trail's table may hold a secret in a field the JSON shows, as a file may."""
    token = "ghp_" + "a1B2" * 9
    values = [cell.get("VarCharValue") for cell in ROWS[1]["Data"]]
    values[COLUMNS.index("sourceipaddress")] = token
    inject(moto_url, [ROWS[0], _row(values), *ROWS[2:]])
    code, out, err = run(capsys, *ATHENA_JSON)
    assert code == 0, err
    assert token not in out
    first = json.loads(out)["events"][0]
    assert (first["event_name"], first["source_ip"]) == ("GetCallerIdentity", "[redacted]")
