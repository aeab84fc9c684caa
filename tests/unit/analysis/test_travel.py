"""GeoIP and impossible travel, with MaxMind's public test City database.

81.2.69.142 London (±10 km), 216.160.83.56 Milton WA (±22 km), 89.160.20.112 Linköping
(±76 km), 175.16.199.0/24 Changchun (±100 km); 1.2.3.4 and 8.8.8.8 are not in it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.analysis.geo import GeoIP, Location, distance_km
from bot.analysis.networks import parse_networks
from bot.analysis.summary import ip_summaries
from bot.analysis.tagging import AnalysisConfig, tag_events
from bot.analysis.travel import impossible_travel
from bot.models import RuleId, TimelineEvent
from tests.unit.analysis.support import T0, event

LONDON, MILTON, LINKOPING, CHANGCHUN = (
    "81.2.69.142",
    "216.160.83.56",
    "89.160.20.112",
    "175.16.199.7",
)


def _pair(
    first: str, second: str, after: timedelta, key: str = "AKIAQWERTYUIOPASDFGH"
) -> list[TimelineEvent]:
    return [
        event("ListUsers", ip=first, when=T0, key=key),
        event("ListRoles", ip=second, when=T0 + after, key=key),
    ]


def test_the_test_database_places_the_documented_addresses(geoip: GeoIP) -> None:
    london = geoip.locate(LONDON)
    assert london is not None
    assert (london.city, london.country, london.radius_km) == ("London", "GB", 10)
    changchun = geoip.locate(CHANGCHUN)
    assert changchun is not None
    assert changchun.city == "Changchun"
    assert geoip.locate("1.2.3.4") is None
    assert geoip.locate("8.8.8.8") is None


@pytest.mark.parametrize(
    "source", ["ec2.amazonaws.com", "AWS Internal", "255.090.254.5", "", "::ffff:zz"]
)
def test_sources_that_are_not_addresses_are_not_located(geoip: GeoIP, source: str) -> None:
    assert geoip.locate(source) is None


def test_london_to_changchun_in_ten_minutes_is_impossible(geoip: GeoIP) -> None:
    events = _pair(LONDON, CHANGCHUN, timedelta(minutes=10))
    tag_events(events, AnalysisConfig(locator=geoip))
    assert all(RuleId.TRAVEL_IMPOSSIBLE in e.tags for e in events)
    (hop,) = impossible_travel(events, geoip)
    assert 7900 < hop.km < 8200
    assert hop.speed_kmh > 40_000


def test_london_to_linkoping_in_two_hours_is_possible(geoip: GeoIP) -> None:
    assert list(impossible_travel(_pair(LONDON, LINKOPING, timedelta(hours=2)), geoip)) == []


def test_the_speed_allows_for_both_accuracy_radii(geoip: GeoIP) -> None:
    london, linkoping = geoip.locate(LONDON), geoip.locate(LINKOPING)
    assert london is not None
    assert linkoping is not None
    charitable = distance_km(london, linkoping) - london.radius_km - linkoping.radius_km
    just_possible = timedelta(hours=charitable / 900 + 0.01)
    just_impossible = timedelta(hours=charitable / 900 - 0.01)
    assert list(impossible_travel(_pair(LONDON, LINKOPING, just_possible), geoip)) == []
    assert len(list(impossible_travel(_pair(LONDON, LINKOPING, just_impossible), geoip))) == 1


def test_overlapping_accuracy_circles_are_never_impossible() -> None:
    class Fuzzy:
        def locate(self, ip: str) -> Location | None:
            east = 1.0 if ip.endswith(".2") else 0.0
            return Location(latitude=0.0, longitude=east, radius_km=100.0)

    assert (
        list(impossible_travel(_pair("192.0.2.1", "192.0.2.2", timedelta(seconds=1)), Fuzzy()))
        == []
    )


def test_travel_is_judged_per_key(geoip: GeoIP) -> None:
    events = [
        event("ListUsers", ip=LONDON, when=T0, key="AKIAQWERTYUIOPASDFGH"),
        event("ListUsers", ip=MILTON, when=T0 + timedelta(minutes=1), key="AKIAZXCVBNMASDFGHJKL"),
    ]
    assert list(impossible_travel(events, geoip)) == []


def test_unlocatable_and_anonymised_addresses_do_not_crash_or_fire(geoip: GeoIP) -> None:
    events = [
        event("ListUsers", ip=LONDON, when=T0),
        event("ListUsers", ip="1.2.3.4", when=T0 + timedelta(seconds=5)),
        event("ListUsers", ip="255.090.254.5", when=T0 + timedelta(seconds=6)),
        event("ListUsers", ip="ec2.amazonaws.com", when=T0 + timedelta(seconds=7)),
        event("ListUsers", ip=LONDON, when=T0 + timedelta(seconds=8)),
    ]
    tag_events(events, AnalysisConfig(locator=geoip))
    assert not any(RuleId.TRAVEL_IMPOSSIBLE in e.tags for e in events)


def test_the_ip_list_says_where_each_address_is_and_whether_it_is_ours(geoip: GeoIP) -> None:
    events = [
        *_pair(LONDON, CHANGCHUN, timedelta(hours=30)),
        event("GetUser", ip="ec2.amazonaws.com"),
    ]
    config = AnalysisConfig(locator=geoip, known_networks=tuple(parse_networks(["81.2.69.0/24"])))
    found = {summary.ip: summary for summary in ip_summaries(events, config)}
    assert found[LONDON].location == "London, GB"
    assert found[LONDON].known is True
    assert found[CHANGCHUN].known is False
    assert found["ec2.amazonaws.com"].kind == "aws"
    assert found["ec2.amazonaws.com"].known is None
