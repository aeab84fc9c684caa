"""Fixtures for the analysis tests: MaxMind's test City database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.analysis.geo import GeoIP
from tests.conftest import SHARED_DATA


@pytest.fixture(scope="session")
def geoip() -> Iterator[GeoIP]:
    database = GeoIP.open(SHARED_DATA / "maxmind-test-db" / "GeoIP2-City-Test.mmdb")
    yield database
    database.close()
