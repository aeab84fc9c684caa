"""The report's Markdown: attacker text stays inert, and the sections follow the store."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.investigate.report import ReportInputs, ReportSection, incident_report, md
from bot.models import ActionKind, ActionRecord, ActionState, Alert, AlertKind, Incident, Severity

T0 = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def incident(title: str = "GetCallerIdentity from an unknown network") -> Incident:
    return Incident(
        id="inc-1",
        account_id="123456789012",
        subject="AKIAIOSFODNN7EXAMPLE",
        title=title,
        severity=Severity.HIGH,
        access_key_id="AKIAIOSFODNN7EXAMPLE",
        alert_count=1,
    )


def test_md_escapes_table_cuts_links_newlines_and_redacts_secrets() -> None:
    shown = md(f"a|b\n[x](http://e) <b> `c` {SECRET}")
    assert "\n" not in shown and "\\|" in shown and "\\[x\\]" in shown
    assert "<b>" not in shown and "\\`c\\`" in shown
    assert SECRET not in shown and "redacted" in shown


def test_an_attackers_user_agent_cannot_add_a_table_row_or_a_heading() -> None:
    alert = Alert(
        dedup_key="d1",
        kind=AlertKind.CLOUDTRAIL_API_CALL,
        title="x | injected |\n## Pwned",
        received_at=T0,
        event_name="ListUsers",
    )
    text = incident_report(
        ReportInputs(incident=incident(), alerts=[alert], actions=[], generated_at=T0)
    )
    assert "\n## Pwned" not in text
    [row] = [line for line in text.splitlines() if "injected" in line]
    assert len(re.findall(r"(?<!\\)\|", row)) == 7  # six columns, no more


def test_actions_show_who_when_reason_and_read_back_and_extras_are_rendered() -> None:
    record = ActionRecord(
        id="act-1",
        idempotency_key="k",
        action=ActionKind.DEACTIVATE_KEY,
        actor="U0ALICE",
        target="AKIAIOSFODNN7EXAMPLE",
        reason="in a public gist",
        state=ActionState.DONE,
        updated_at=T0,
        after={"status": "Inactive"},
    )
    inputs = ReportInputs(
        incident=incident(),
        alerts=[],
        actions=[record],
        generated_at=T0,
        sections=[ReportSection("Watch", ["- 14 denied calls from 198.51.100.50"])],
        open_items=["console password set"],
    )
    text = incident_report(inputs)
    row = next(line for line in text.splitlines() if "deactivate" in line)
    assert "U0ALICE" in row and "in a public gist" in row and "Inactive" in row
    assert "2026-11-21" in row
    assert "## Watch\n\n- 14 denied calls from 198.51.100.50" in text
    assert "- console password set" in text
    assert "No timeline was fetched" in text
    assert "not asked (no owner found)" in text
