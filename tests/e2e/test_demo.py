"""The README's first command: the whole incident, on embedded stand-ins, exits 0."""

from __future__ import annotations

import io
import os
import re

from bot.standins.demo import run_demo


def test_the_demo_plays_the_incident_end_to_end() -> None:
    before = dict(os.environ)
    out = io.StringIO()

    assert run_demo(out) == 0

    transcript = out.getvalue()
    [key] = set(re.findall(r"AKIA[A-Z2-7]{16}", transcript))
    assert "GetCallerIdentity from outside known networks" in transcript
    assert "198.51.100.50" in transcript and "outside known networks" in transcript
    assert "github.com/example-org/integrations" in transcript, "the Health notice, threaded"
    assert "2 alerts" in transcript, "the redelivery counted once"
    assert "[modal for @U0RESPONDER] Contain key" in transcript
    assert f"moto now: key {key} Inactive" in transcript
    assert "keycheck-deny-all" in transcript and "Undo all" in transcript
    assert "⚪ Inactive" in transcript, "the card shows the key as it is now"
    for step in ("GetCallerIdentity", "ListUsers", "ListAccessKeys", "ListRoles", "GetUser"):
        assert step in transcript
    assert "recon.enumeration" in transcript
    assert re.search(r"📎 timeline-inc-\d{8}-[0-9a-f]{6}\.csv", transcript)
    assert "asked @U0DANA in a DM" in transcript and "says *this was not them*" in transcript
    assert "direct message to @U0DANA" in transcript and "You said it wasn't you" in transcript
    assert re.search(r"📎 report-inc-\d{8}-[0-9a-f]{6}\.md", transcript)
    assert re.search(r"📎 timeline-inc-\d{8}-[0-9a-f]{6}\.png", transcript)
    assert os.environ == before, "the demo leaves the environment as it found it"
