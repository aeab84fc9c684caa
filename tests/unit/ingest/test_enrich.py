"""The judgements on the card: known network, approved region, and the key report cache."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.errors import AccountUnreachable
from bot.ingest.enrich import Enricher, ip_known, region_approved, source_note
from bot.models import Alert, AlertKind, KeyKind, KeyReport

KEY = "AKIAQWERTYUIOPASDFGH"


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, known_cidrs=["203.0.113.0/24"], approved_regions=["us-east-1"])


def test_ip_inside_and_outside_known_networks(settings: Settings) -> None:
    assert ip_known("203.0.113.9", settings) is True
    assert ip_known("198.51.100.50", settings) is False
    assert ip_known("ec2.amazonaws.com", settings) is None
    assert ip_known("198.51.100.50", Settings(_env_file=None)) is None


def test_region_approval(settings: Settings) -> None:
    assert region_approved("us-east-1", settings) is True
    assert region_approved("ap-southeast-2", settings) is False
    assert region_approved("", settings) is None
    assert region_approved("global", settings) is None, "AWS Health's global events"


def test_service_sources_are_explained() -> None:
    assert "AWS service" in source_note("ec2.amazonaws.com")
    assert "not an IP" in source_note("bogus<>")
    assert source_note("198.51.100.50") == ""


def test_key_reports_are_cached_until_fresh_is_asked(settings: Settings) -> None:
    calls: list[str] = []
    now = [0.0]

    def report(key_id: str) -> KeyReport:
        calls.append(key_id)
        return KeyReport(access_key_id=key_id, kind=KeyKind.LONG_TERM, status="Active")

    enricher = Enricher(settings, key_report=report, clock=lambda: now[0])
    alert = Alert(dedup_key="1", kind=AlertKind.CLOUDTRAIL_API_CALL, title="t", access_key_id=KEY)
    assert enricher(alert).key is not None
    enricher(alert)
    assert calls == [KEY]
    enricher.report(KEY, fresh=True)
    now[0] = 61
    enricher(alert)
    assert calls == [KEY, KEY, KEY]


def test_an_unreachable_account_leaves_the_card_without_a_report(settings: Settings) -> None:
    def report(key_id: str) -> KeyReport:
        raise AccountUnreachable("Cannot reach account 1")

    enricher = Enricher(settings, key_report=report)
    alert = Alert(dedup_key="1", kind=AlertKind.GUARDDUTY, title="t", access_key_id=KEY)
    context = enricher(alert)
    assert context.key is None
