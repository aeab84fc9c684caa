"""The timeline from an organisation trail's Athena table: past LookupEvents' 90 days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.analysis.chains import minted_key
from bot.analysis.pipeline import analyze
from bot.analysis.report import Analysis
from bot.analysis.tagging import AnalysisConfig
from bot.aws.athena import CloudTrailTable, athena_events
from bot.models import TimelineEvent

if TYPE_CHECKING:
    from mypy_boto3_athena import AthenaClient

DEFAULT_DEPTH = 3


def athena_timeline(
    client: AthenaClient,
    table: CloudTrailTable,
    key_id: str,
    *,
    start: datetime,
    end: datetime,
    config: AnalysisConfig,
    regions: Sequence[str] = (),
    depth: int = DEFAULT_DEPTH,
) -> Analysis:
    """Query the key, then the keys it minted, a generation per query, and analyse them all.

    An organisation trail holds every account's events in one table, so a role assumed in
    another account is found without entering it.
    """
    events: list[TimelineEvent] = []
    asked: set[str] = set()
    frontier = [key_id]
    for _ in range(depth + 1):
        asked.update(frontier)
        batch = list(
            athena_events(client, table, keys=frontier, start=start, end=end, regions=regions)
        )
        events += batch
        minted = {m.key_id for e in batch if (m := minted_key(e)) is not None}
        frontier = sorted(minted - asked)
        if not frontier:
            break
    return analyze(events, config, keys=[key_id], depth=depth)
