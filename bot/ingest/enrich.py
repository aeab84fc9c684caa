"""What keycheck learns around an alert before posting it: key owner, network, region."""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import Settings
from bot.errors import KeycheckError
from bot.models import Alert, AlertContext, BlastRadius, KeyReport, OwnerLookup, RuleId

log = logging.getLogger(__name__)

GLOBAL_REGIONS = frozenset({"global", "aws-global"})
KeyReporter = Callable[[str], KeyReport]
Locator = Callable[[str], str]


def ip_known(source_ip: str, settings: Settings) -> bool | None:
    """Inside the known CIDRs? None when no CIDRs are set or the source is not an IP."""
    networks = settings.known_networks()
    if not networks:
        return None
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return None
    return any(address in network for network in networks)


def expected_source(alert: Alert, settings: Settings) -> bool:
    """A GetCallerIdentity alert from inside the known networks: the rule's CIDR half.

    EventBridge can only exclude octet-aligned prefixes; ranges it cannot express (longer
    than /24, IPv6) reach keycheck, which drops them here before anyone is alerted.
    """
    return (
        alert.rule == RuleId.RECON_CALLER_IDENTITY and ip_known(alert.source_ip, settings) is True
    )


def region_approved(region: str, settings: Settings) -> bool | None:
    """In the approved regions? None when none are set or the alert is not regional."""
    if not settings.approved_regions or not region or region in GLOBAL_REGIONS:
        return None
    return region in settings.approved_regions


def source_note(source_ip: str) -> str:
    """A word on sources that are not addresses: AWS services call on a principal's behalf."""
    if not source_ip:
        return ""
    try:
        ipaddress.ip_address(source_ip)
    except ValueError:
        if source_ip.endswith(".amazonaws.com") or source_ip == "AWS Internal":
            return f"Source `{source_ip}` is an AWS service acting for the principal."
        return f"Source `{source_ip[:60]}` is not an IP address."
    return ""


@dataclass
class Enricher:
    """Builds an AlertContext; key reports are cached briefly so a flood costs one lookup."""

    settings: Settings
    key_report: KeyReporter | None = None
    # What the key's principal may do, if already assessed: never waited for.
    blast: Callable[[KeyReport], BlastRadius | None] | None = None
    locate: Locator | None = None
    ttl_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _cache: dict[str, tuple[float, KeyReport]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # What was found about the key's owner, once asked: never waited for.
    owner: Callable[[KeyReport], OwnerLookup | None] | None = None

    def __call__(self, alert: Alert) -> AlertContext:
        notes = [n for n in [source_note(alert.source_ip), alert.details.get("lookup", "")] if n]
        report = self.report(alert.access_key_id) if alert.access_key_id else None
        return AlertContext(
            key=report,
            ip_known=ip_known(alert.source_ip, self.settings),
            region_approved=region_approved(alert.region, self.settings),
            ip_location=self._location(alert.source_ip),
            notes=notes,
            blast=self.blast(report) if report is not None and self.blast else None,
            owner=self.owner(report) if report is not None and self.owner else None,
        )

    def report(self, key_id: str, *, fresh: bool = False) -> KeyReport | None:
        """The key's report, from cache unless asked fresh (after an action changed it)."""
        if self.key_report is None:
            return None
        now = self.clock()
        with self._lock:
            cached = self._cache.get(key_id)
        if cached and not fresh and now - cached[0] < self.ttl_seconds:
            return cached[1]
        try:
            report = self.key_report(key_id)
        except KeycheckError as error:
            log.warning("key report for %s failed: %s", key_id, error)
            return None
        with self._lock:
            self._cache[key_id] = (now, report)
        return report

    def remember(self, report: KeyReport) -> None:
        """A report just read after an action: later cards must not show the state before it."""
        with self._lock:
            self._cache[report.access_key_id] = (self.clock(), report)

    def _location(self, source_ip: str) -> str:
        if self.locate is None or not source_ip:
            return ""
        try:
            return self.locate(source_ip)
        except (ValueError, OSError) as error:
            log.debug("no location for %s: %s", source_ip, error)
            return ""
