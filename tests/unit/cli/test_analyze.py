"""`keycheck analyze`: CloudTrail files in, DESIGN's JSON (or a table) out."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from tests.conftest import SHARED_DATA
from tests.unit.analysis.support import FIXTURES, record
from tests.unit.cli.test_output import keycheck

SEED = FIXTURES / "seed-recon.json"
KEY = "AKIAQWERTYUIOPASDFGH"
ASIA = "ASIAPOIUYTREWQLKJHGF"
GEOIP = SHARED_DATA / "maxmind-test-db" / "GeoIP2-City-Test.mmdb"


@pytest.fixture(autouse=True)
def no_operator_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The operator's KEYCHECK_* settings must not leak into these runs."""
    monkeypatch.chdir(tmp_path)
    for name in ("KEYCHECK_KNOWN_CIDRS", "KEYCHECK_APPROVED_REGIONS", "KEYCHECK_GEOIP_DB"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["analyze", *args])
    out, err = capsys.readouterr()
    return status, out, err


def analyse_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    status, out, _ = run(capsys, *args, "--format", "json")
    assert status == 0
    body: dict[str, Any] = json.loads(out)
    return body


def test_the_json_is_exactly_designs_shape(capsys: pytest.CaptureFixture[str]) -> None:
    body = analyse_json(capsys, str(SEED))
    assert list(body) == ["events", "findings", "keys"]
    assert all(
        list(event)
        == [
            "event_id",
            "time",
            "region",
            "event_source",
            "event_name",
            "access_key_id",
            "source_ip",
            "error_code",
            "tags",
        ]
        for event in body["events"]
    )
    assert all(
        list(f) == ["rule", "technique", "severity", "event_ids", "summary"]
        for f in body["findings"]
    )
    assert body["keys"] == [{"access_key_id": ASIA, "derived_from": KEY, "how": "AssumeRole"}]


def test_the_seed_recon_sequence_is_tagged(capsys: pytest.CaptureFixture[str]) -> None:
    body = analyse_json(capsys, str(SEED), "--key", KEY)
    first = body["events"][0]
    assert first["event_name"] == "GetCallerIdentity"
    assert first["time"] == "2026-05-21T12:11:58Z"
    assert "recon.caller_identity" in first["tags"]
    rules = {f["rule"] for f in body["findings"]}
    assert {
        "recon.caller_identity",
        "recon.enumeration",
        "persistence.user",
        "lateral.assume_role",
    } <= rules
    assert [e["event_name"] for e in body["events"]][-1] == "CreateUser"


def test_the_session_token_in_the_logs_is_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    for form in ("json", "table"):
        _, out, err = run(capsys, str(SEED), "--format", form)
        assert "FwoGZXIvYXdzEXAMPLESESSIONTOKEN" not in out + err


def test_every_input_shape_at_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    zipped = tmp_path / "delivery.json.gz"
    zipped.write_bytes(gzip.compress(SEED.read_bytes()))
    lines = tmp_path / "records.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in json.loads(SEED.read_text())["Records"][:3]))
    body = analyse_json(
        capsys, str(zipped), str(lines), str(FIXTURES / "lookup_events_response.json")
    )
    assert len(body["events"]) == 8 + 5  # the JSON Lines repeat the delivery: merged by event id


def test_known_networks_regions_and_geoip_enrich_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    launch = tmp_path / "launch.jsonl"
    launch.write_text(json.dumps(record("RunInstances", "ec2", ip="81.2.69.142")))
    plain = analyse_json(capsys, str(SEED), str(launch))
    rich = analyse_json(
        capsys,
        str(SEED),
        str(launch),
        "--known-cidrs",
        "198.51.100.0/24",
        "--approved-regions",
        "eu-west-1",
        "--geoip-db",
        str(GEOIP),
    )
    plain_tags = {tag for e in plain["events"] for tag in e["tags"]}
    rich_tags = {tag for e in rich["events"] for tag in e["tags"]}
    assert "recon.caller_identity" in plain_tags
    assert "recon.caller_identity" not in rich_tags  # the attacker's range was declared known
    assert "region.unapproved" not in plain_tags
    assert "region.unapproved" in rich_tags  # IAM and STS, logged in us-east-1, are not
    assert [e["event_name"] for e in rich["events"] if "region.unapproved" in e["tags"]] == [
        "RunInstances"
    ]


def test_a_directory_and_a_key_that_narrows_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shutil.copy(SEED, tmp_path / "a.json")
    stratus = (
        SHARED_DATA
        / "stratus-red-team-detonation-logs"
        / "aws.persistence.sts-federation-token.json"
    )
    shutil.copy(stratus, tmp_path / "b.json")
    everything = analyse_json(capsys, str(tmp_path))
    narrowed = analyse_json(capsys, str(tmp_path), "--key", "AKIA6V1GNZTT65XQH36M")
    assert len(everything["events"]) == 10
    assert [e["event_name"] for e in narrowed["events"]] == [
        "GetFederationToken",
        "GetCallerIdentity",
    ]
    assert narrowed["keys"] == [
        {
            "access_key_id": "ASIASTJKC5GCM7ZE6LUP",
            "derived_from": "AKIA6V1GNZTT65XQH36M",
            "how": "GetFederationToken",
        }
    ]


def test_a_table_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(SEED))
    assert status == 0
    assert out.startswith("8 events, ")
    assert "recon.enumeration (T1087.004)" in out
    assert f"minted: {ASIA} from {KEY} (AssumeRole)" in out


def test_a_secret_given_as_key_is_refused_and_not_echoed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    status, out, err = run(capsys, str(SEED), "--key", secret)
    assert status == 2
    assert secret not in out + err
    assert "secret" in err


def test_a_bad_cidr_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, str(SEED), "--known-cidrs", "10.0.0.0/33")
    assert status == 2
    assert "Not a CIDR" in err


def test_the_operators_settings_still_apply_without_flags(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    launch = tmp_path / "launch.jsonl"
    launch.write_text(json.dumps(record("RunInstances", "ec2")))
    assert "region.unapproved" not in json.dumps(analyse_json(capsys, str(launch)))
    monkeypatch.setenv("KEYCHECK_APPROVED_REGIONS", "eu-west-1")
    assert "region.unapproved" in json.dumps(analyse_json(capsys, str(launch)))
    monkeypatch.delenv("KEYCHECK_APPROVED_REGIONS")
    (tmp_path / ".env").write_text("KEYCHECK_APPROVED_REGIONS=eu-west-1\n")
    assert "region.unapproved" in json.dumps(analyse_json(capsys, str(launch)))


def _deliveries(folder: Path, count: int) -> list[str]:
    """`count` gzipped deliveries; KEY's AssumeRole in the last, ASIA's calls in the first."""
    records = json.loads(SEED.read_text())["Records"]
    minting = [r for r in records if r["eventName"] == "AssumeRole"]
    for number in range(count):
        chosen = minting if number == count - 1 else [r for r in records if r not in minting]
        body = json.dumps({"Records": chosen}).encode()
        (folder / f"{number:03}.json.gz").write_bytes(gzip.compress(body))
    return [str(folder)]


def test_progress_is_shown_on_a_terminal_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = _deliveries(tmp_path, 3)
    _, _, quiet = run(capsys, *source, "--key", KEY, "--format", "json")
    assert quiet == ""
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    _, _, shown = run(capsys, *source, "--key", KEY, "--format", "json")
    assert "3/3 files" in shown
    assert "records/s" in shown
    assert "following minted keys: " in shown  # ASIA's calls came before its AssumeRole


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_many_files_in_worker_processes_give_what_one_file_gives(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, jobs: str
) -> None:
    whole = analyse_json(capsys, str(SEED), "--key", KEY)
    split = analyse_json(capsys, *_deliveries(tmp_path, 4), "--key", KEY, "--jobs", jobs)
    assert split == whole
    assert split["keys"] == [{"access_key_id": ASIA, "derived_from": KEY, "how": "AssumeRole"}]


def test_a_broken_file_read_by_a_worker_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = _deliveries(tmp_path, 3)
    (tmp_path / "broken.jsonl").write_text(json.dumps(record("ListUsers")) + "\n{oops\n")
    status, out, err = run(capsys, *source, "--key", KEY, "--jobs", "2")
    assert status == 2
    assert out == ""
    assert "broken.jsonl: line 2 is not JSON" in err


def _shipped(record_: dict[str, Any]) -> dict[str, Any]:
    """A record as Logstash or OpenSearch export it: `@timestamp` (milliseconds), no eventTime."""
    shipped = {k: v for k, v in record_.items() if k != "eventTime"}
    moment = record_["eventTime"].replace("Z", ".000Z")
    return {"@timestamp": moment, "@version": "1", **shipped}


def test_a_log_shippers_export_keeps_its_times(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    records = json.loads(SEED.read_text())["Records"]
    export = tmp_path / "opensearch-export.ndjson"
    export.write_text("\n".join(json.dumps(_shipped(r)) for r in reversed(records)))
    shipped = analyse_json(capsys, str(export), "--key", KEY)
    delivered = analyse_json(capsys, str(SEED), "--key", KEY)
    assert [e["time"] for e in shipped["events"]] == [e["time"] for e in delivered["events"]]
    assert not any(e["time"].startswith("1970") for e in shipped["events"])
    assert shipped == delivered  # the same order, tags and findings: bursts need the times


def test_a_record_without_a_time_is_counted_and_said_never_dated_1970(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    timeless = record("CreateUser", eventID="no-time")
    del timeless["eventTime"]
    garbled = record("CreateAccessKey", eventID="bad-time", eventTime="yesterday")
    logs = tmp_path / "records.jsonl"
    logs.write_text("\n".join(json.dumps(r) for r in (timeless, garbled, record("ListUsers"))))
    status, out, err = run(capsys, str(logs), "--key", KEY, "--format", "json")
    body = json.loads(out)
    assert status == 0
    assert [e["event_name"] for e in body["events"]] == ["ListUsers"]
    assert body["undated"] == {"records": 2, "event_ids": ["no-time", "bad-time"]}
    assert "2 records without a readable eventTime or @timestamp" in err
    assert "no-time, bad-time" in err


def test_lookup_events_output_is_dated_by_its_event_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inner = {k: v for k, v in record("ListUsers").items() if k != "eventTime"}
    item = {"EventId": inner["eventID"], "EventTime": "2026-05-21T12:11:58+00:00"}
    lookup = tmp_path / "lookup.json"
    lookup.write_text(json.dumps({"Events": [{**item, "CloudTrailEvent": json.dumps(inner)}]}))
    body = analyse_json(capsys, str(lookup))
    assert [e["time"] for e in body["events"]] == ["2026-05-21T12:11:58Z"]


def test_a_forged_files_secrets_in_the_fields_a_row_shows_are_not_printed(
    tmp_path: Path,
) -> None:
    """A hand-made export, or a forged one, can carry a secret in any field; the JSON and
    the table print it redacted, and the JSON still reads, every event in it."""
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    slack = "xoxb-2718281828-3141592653-QwErTyUiOpAsDfGh"
    github = "ghp_" + "a1B2" * 9
    records = [
        record("GetCallerIdentity", "sts", ip=github),
        record(slack, "iam", errorCode=secret, eventID="e-2"),
        record("CreateUser", "iam", awsRegion=f"Bearer {secret}", eventID=f"id {secret}"),
    ]
    path = tmp_path / "forged.json"
    path.write_text(json.dumps({"Records": records}))
    runs = [keycheck(tmp_path, "analyze", str(path), *form) for form in (["--format", "json"], [])]
    assert [done.returncode for done in runs] == [0, 0]
    printed, table = (done.stdout for done in runs)
    body = json.loads(printed)
    assert len(body["events"]) == 3
    for output in (printed, table):
        assert [s for s in (secret, slack, github) if s in output] == []
        assert "[redacted]" in output
    assert {e["source_ip"] for e in body["events"]} >= {"[redacted]"}
