"""Fixtures for the tests on third-party data: MaxMind's test City database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.analysis.geo import GeoIP
from tests.conftest import SHARED_DATA

if not SHARED_DATA.is_dir():
    # CI has the data beside the checkout; a bare clone says why these did not run.
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def geoip() -> Iterator[GeoIP]:
    database = GeoIP.open(SHARED_DATA / "maxmind-test-db" / "GeoIP2-City-Test.mmdb")
    yield database
    database.close()
