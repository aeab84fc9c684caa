"""How long the blast radius and the containment check take on moto, against a plain key report.

The blast radius reads every policy in force and has cloudsplaining classify them; verify
reads the key report, the blast radius (with the denies in place), the user's keys and
password, and the sessions the key minted (CloudTrail stand-in). The baseline is the key
report alone, the read every card already makes, timed the same way in the same process.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from functools import partial

import boto3
import pytest

from bot.aws.sessions import Sessions
from bot.respond.blast_radius import BlastRadii
from bot.respond.keyreport import build_key_report
from bot.respond.verify import ContainmentCheck
from bot.standins.aws import seed_leaked_user
from bot.standins.cloudtrail import CloudTrailStandIn
from tests.unit.analysis.support import cloudtrail_standin

ROUNDS = 10
USER = "app-integration-user"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def trail(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch) as standin:
        yield standin


def median_seconds(run: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@pytest.mark.bench
def test_blast_radius_and_verify_on_moto(
    aws: boto3.Session, trail: CloudTrailStandIn, monkeypatch: pytest.MonkeyPatch, moto_url: str
) -> None:
    import urllib.request

    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    urllib.request.urlopen(
        urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10
    ).close()
    iam = aws.client("iam")
    key = str(seed_leaked_user(iam, USER)["AccessKeyId"])
    iam.attach_user_policy(UserName=USER, PolicyArn=ADMIN)
    sessions = Sessions(region="us-east-1")
    report = build_key_report(sessions, key)
    blast = BlastRadii(sessions)
    check = ContainmentCheck(sessions, partial(build_key_report, sessions), blast)

    baseline = median_seconds(lambda: build_key_report(sessions, key))
    assessed = median_seconds(lambda: (blast.forget(report), blast.compute(report)))
    verified = median_seconds(lambda: check.verify(key))

    assert blast.compute(report).admin_equivalent
    print(
        f"\nkey report {baseline * 1000:.0f} ms (baseline) · blast radius {assessed * 1000:.0f} ms "
        f"({assessed / baseline:.1f}×) · verify {verified * 1000:.0f} ms "
        f"({verified / baseline:.1f}×), median of {ROUNDS} on moto"
    )
