"""The rule table against TrailDiscover's catalogue: every disagreement fixed or explained.

TrailDiscover (CC BY 4.0, github.com/adanalvarez/TrailDiscover) lists which
(eventSource, eventName) pairs attackers use, with their ATT&CK tactics.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from bot.analysis.catalog import RULES
from bot.analysis.rules import (
    API_RULES,
    DISCOVERY_NOT_COUNTED,
    UNTAGGED,
    is_discovery,
)
from bot.models import RuleId
from tests.conftest import SHARED_DATA

CHECKED = {
    "Discovery",
    "Persistence",
    "Privilege Escalation",
    "Defense Evasion",
    "Exfiltration",
    "Impact",
}


@cache
def catalogue() -> dict[tuple[str, str], set[str]]:
    entries: list[dict[str, Any]] = json.loads(
        (SHARED_DATA / "traildiscover" / "events.json").read_text()
    )
    tactics: dict[tuple[str, str], set[str]] = {}
    for entry in entries:
        pair = (entry["eventSource"], entry["eventName"])
        names = {tactic.split(" - ", 1)[1] for tactic in entry["mitreAttackTactics"]}
        tactics.setdefault(pair, set()).update(names)
    return tactics


def our_tactics(pair: tuple[str, str]) -> set[str]:
    """The tactics our tags for this call can stand for (discovery: it counts to a burst)."""
    found: set[str] = set()
    if pair in API_RULES:
        found |= RULES[API_RULES[pair].rule].tactics
    if is_discovery(*pair):
        found |= RULES[RuleId.RECON_ENUMERATION].tactics
    return found


def explanation(pair: tuple[str, str], tactics: set[str]) -> str:
    if pair in API_RULES and API_RULES[pair].note:
        return API_RULES[pair].note
    if pair in UNTAGGED:
        return UNTAGGED[pair]
    if tactics & CHECKED == {"Discovery"}:
        return DISCOVERY_NOT_COUNTED.get(pair[0], "")
    return ""


def disagreements() -> list[tuple[tuple[str, str], str]]:
    """(pair, why) for every catalogue call with a checked tactic that we read differently."""
    found = []
    for pair, tactics in sorted(catalogue().items()):
        if not tactics & CHECKED:
            continue
        if our_tactics(pair) & tactics:
            continue
        found.append((pair, explanation(pair, tactics)))
    return found


def test_every_disagreement_with_the_catalogue_is_explained() -> None:
    unexplained = [pair for pair, why in disagreements() if not why]
    assert unexplained == [], f"fix the rule table or explain: {unexplained}"


def test_the_catalogue_was_read_and_most_of_it_agrees() -> None:
    checked = [pair for pair, tactics in catalogue().items() if tactics & CHECKED]
    assert len(checked) > 300
    assert len(disagreements()) < len(checked) // 2


def test_every_call_we_tag_that_the_catalogue_lacks_or_reads_otherwise_says_why() -> None:
    silent = []
    for pair, entry in API_RULES.items():
        listed = catalogue().get(pair)
        if (listed is None or not (RULES[entry.rule].tactics & listed)) and not entry.note:
            silent.append(pair)
    assert silent == []


def test_explanations_are_not_left_over_for_calls_that_now_agree() -> None:
    stale = [
        pair
        for pair in UNTAGGED
        if pair not in catalogue() or our_tactics(pair) & catalogue()[pair]
    ]
    assert stale == []


@pytest.mark.parametrize(
    ("pair", "rule"),
    [
        (("iam.amazonaws.com", "CreateUser"), RuleId.PERSISTENCE_USER),
        (("transfer.amazonaws.com", "CreateUser"), RuleId.EXFIL_SHARING),
        (("iam.amazonaws.com", "CreateAccessKey"), RuleId.PERSISTENCE_ACCESS_KEY),
        (("cloudtrail.amazonaws.com", "StopLogging"), RuleId.DEFENSE_EVASION_LOGGING),
    ],
)
def test_the_table_is_keyed_on_the_service_as_well_as_the_name(
    pair: tuple[str, str], rule: RuleId
) -> None:
    assert API_RULES[pair].rule is rule


def test_every_rule_id_has_a_technique_a_severity_and_a_phase() -> None:
    assert set(RULES) == set(RuleId)
    assert all(info.technique.startswith("T1") for info in RULES.values())
