"""Benchmark: a key's timeline over R regions against the stand-in enforcing the real limits.

Prints the fetch time as a ratio to the ideal, max over regions of ceil(pages / 2) seconds
(two requests a second per region, regions in parallel), and to the loop users write
today: boto3's paginator, one region after another, errors swallowed (as AWS's own
exposed-key sample does), measured in the same process against the same stand-in.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from bot.analysis.tagging import AnalysisConfig
from bot.aws.ratelimit import BucketRegistry
from bot.aws.sessions import Sessions
from bot.investigate.timeline import build_timeline
from bot.standins.cloudtrail import CloudTrailStandIn
from tests.unit.analysis.support import KEY, T0, cloudtrail_standin, record

REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-south-1",
    "ap-northeast-1",
    "sa-east-1",
]
PER_REGION = 200  # four pages of 50
# A careful user raises botocore's retries until the loop completes; the default loses regions.
PATIENT = Config(retries={"mode": "standard", "total_max_attempts": 20})
WINDOW = {"start": T0 - timedelta(days=1), "end": T0 + timedelta(days=1)}


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch, now=lambda: T0 + timedelta(days=2)) as running:
        for region in REGIONS:
            running.add_records(
                region,
                [
                    record("ListBuckets", "s3", region=region, when=T0 + timedelta(seconds=i))
                    for i in range(PER_REGION)
                ],
            )
        yield running


def sequential_loop(regions: list[str], config: Config | None = None) -> tuple[int, list[str]]:
    """What people write today: region by region, the paginator, failures skipped."""
    found, lost = 0, []
    for region in regions:
        client: Any = boto3.client("cloudtrail", region_name=region, config=config)
        pages = client.get_paginator("lookup_events").paginate(
            LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": KEY}],
            StartTime=WINDOW["start"],
            EndTime=WINDOW["end"],
        )
        try:
            for page in pages:
                found += len(page["Events"])
        except ClientError:
            lost.append(region)
    return found, lost


@pytest.mark.bench
def test_timeline_fetch_against_the_ideal_and_the_sequential_loop(
    standin: CloudTrailStandIn,
) -> None:
    pages = math.ceil(PER_REGION / 50)
    ideal = max(math.ceil(pages / 2) for _ in REGIONS)
    events = PER_REGION * len(REGIONS)

    started = time.monotonic()
    report = build_timeline(
        Sessions(region="us-east-1"),
        KEY,
        "",
        config=AnalysisConfig(),
        regions=REGIONS,
        buckets=BucketRegistry(),
        **WINDOW,
    )
    ours = time.monotonic() - started
    our_throttles = standin.throttled.total()

    baselines = []
    for config in (None, PATIENT):
        standin.throttled.clear()
        time.sleep(1.1)  # let the stand-in's one-second windows empty before each loop
        started = time.monotonic()
        found, lost = sequential_loop(REGIONS, config)
        baselines.append((time.monotonic() - started, found, standin.throttled.total(), lost))

    print(
        f"\ntimeline fetch: {events} events, {len(REGIONS)} regions, {pages} pages each\n"
        f"  ideal (max ceil(pages/2))   {ideal:6.2f} s\n"
        f"  keycheck (parallel, paced)  {ours:6.2f} s = {ours / ideal:.2f} x ideal, "
        f"{len(report.events)} events, {our_throttles} throttled, {len(report.failed)} failed"
    )
    for label, (seconds, found, throttled, lost) in zip(
        ("sequential, default retries", "sequential, 20 attempts"), baselines, strict=True
    ):
        print(
            f"  {label:<27} {seconds:6.2f} s = {seconds / ideal:.2f} x ideal, {found} events, "
            f"{throttled} throttled, {len(lost)} regions lost; keycheck takes "
            f"{ours / seconds:.2f} of its time"
        )
    assert len(report.events) == events
    assert report.failed == []
