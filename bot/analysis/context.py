"""The operator's context for an analysis (known networks, approved regions, GeoIP, AWS's
address space, collection thresholds), built once.

It lives here, not beside the timeline fetcher, so that an offline `keycheck analyze`
builds it without importing boto3 or pydantic-settings: it takes anything with the three
settings it reads, and `Settings` is one such thing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from bot.analysis.collection import Thresholds
from bot.analysis.geo import GeoIP, Locator
from bot.analysis.ipranges import AwsRanges, load_ip_ranges
from bot.analysis.networks import parse_networks
from bot.analysis.tagging import AnalysisConfig
from bot.errors import KeycheckError

log = logging.getLogger(__name__)


class AnalysisSettings(Protocol):
    """The settings an analysis reads; `bot.config.Settings` has them."""

    @property
    def known_cidrs(self) -> Sequence[str]: ...

    @property
    def approved_regions(self) -> Sequence[str]: ...

    @property
    def geoip_db(self) -> Path | None: ...

    @property
    def aws_ip_ranges(self) -> Path | None: ...

    @property
    def s3_burst_reads(self) -> int: ...

    @property
    def s3_burst_objects(self) -> int: ...

    @property
    def s3_burst_minutes(self) -> int: ...


@dataclass(frozen=True)
class NoSettings:
    """What an operator who configured nothing has: every context rule off."""

    known_cidrs: Sequence[str] = ()
    approved_regions: Sequence[str] = ()
    geoip_db: Path | None = None
    aws_ip_ranges: Path | None = None
    s3_burst_reads: int = Thresholds.reads
    s3_burst_objects: int = Thresholds.objects
    s3_burst_minutes: int = 10


@lru_cache(maxsize=4)
def _geoip(path: Path) -> GeoIP:
    """One reader per database for the life of the process (it memory-maps the file)."""
    return GeoIP.open(path)


def open_locator(path: Path | None, *, required: bool = False) -> Locator | None:
    """The GeoIP database, if configured; a missing one is an error only when asked for by name."""
    if path is None:
        return None
    try:
        return _geoip(path)
    except (OSError, ValueError) as error:
        if required:
            raise KeycheckError(f"Cannot open the GeoIP database {path}: {error}") from error
        log.warning("GeoIP database %s unusable (%s); continuing without locations", path, error)
        return None


@lru_cache(maxsize=4)
def aws_ranges(path: Path | None) -> AwsRanges | None:
    """AWS's ip-ranges.json, read once per process; a bad file is an error, not a silent miss."""
    return load_ip_ranges(path) if path is not None else None


def analysis_config(
    settings: AnalysisSettings,
    *,
    known_cidrs: Sequence[str] | None = None,
    approved_regions: Sequence[str] | None = None,
    geoip_db: Path | None = None,
) -> AnalysisConfig:
    """The settings' context for analysis; explicit arguments (CLI flags) override them."""
    try:
        networks = parse_networks(settings.known_cidrs if known_cidrs is None else known_cidrs)
    except ValueError as error:
        raise KeycheckError(f"Not a CIDR: {error}") from error
    regions = settings.approved_regions if approved_regions is None else approved_regions
    return AnalysisConfig(
        known_networks=tuple(networks),
        approved_regions=frozenset(r.strip() for r in regions if r.strip()),
        locator=open_locator(geoip_db or settings.geoip_db, required=geoip_db is not None),
        aws_ranges=aws_ranges(settings.aws_ip_ranges),
        collection=Thresholds(
            reads=settings.s3_burst_reads,
            objects=settings.s3_burst_objects,
            window=timedelta(minutes=settings.s3_burst_minutes),
        ),
    )
