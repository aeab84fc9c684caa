"""Text helpers: what an attacker's string turns into before it reaches Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.slack.format import (
    age_days,
    clean,
    code,
    code_block,
    escape,
    fit,
    link,
    plain,
    truncate,
    utc_datetime,
    utc_time,
)

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_escape_defuses_slacks_control_characters() -> None:
    assert escape("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"


def test_clean_is_one_line_escaped_redacted_and_capped() -> None:
    assert clean(f"a\nb\u202e<x> {SECRET}", 200) == "a b &lt;x&gt; [redacted]"
    assert clean("x" * 50, 10) == "x" * 9 + "…"


def test_code_span_cannot_be_broken_out_of() -> None:
    assert code("a`<!here>`b") == "`aˋ&lt;!here&gt;ˋb`"
    assert code("") == "—"


def test_code_block_keeps_lines_but_not_fences() -> None:
    block = code_block('{\n  "a": "```<!channel>"\n}')
    assert block.startswith("```{\n")
    assert block.endswith("}```")
    assert block.count("```") == 2
    assert "&lt;!channel&gt;" in block


def test_plain_text_has_no_angle_brackets() -> None:
    assert plain("<!channel> title\n2", 150) == "‹!channel› title 2"


def test_fit_never_leaves_half_an_entity_or_an_open_fence() -> None:
    assert fit("ab &amp; cd", 7) == "ab …"
    fenced = fit("intro ```" + "x" * 100 + "```", 40)
    assert len(fenced) <= 40
    assert fenced.count("```") == 2
    assert fit("short", 40) == "short"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://github.com/org/repo/blob/main/.env",
            "<https://github.com/org/repo/blob/main/.env>",
        ),
        ("http://plain.example/", "`http://plain.example/`"),
        ("https://evil.example/|click", "`https://evil.example/|click`"),
        ("https://a.example/x>y", "`https://a.example/x&gt;y`"),
    ],
)
def test_only_plain_https_links_are_clickable(url: str, expected: str) -> None:
    assert link(url) == expected


def test_times_are_utc_and_say_so() -> None:
    local = datetime(2026, 5, 21, 14, 14, 5, tzinfo=timezone(timedelta(hours=2)))
    assert utc_time(local) == "12:14:05 UTC"
    assert utc_datetime(datetime(2026, 5, 21, 12, 14, 5)) == "2026-05-21 12:14:05 UTC"


def test_age_in_days_never_negative() -> None:
    now = datetime(2026, 5, 21, tzinfo=UTC)
    assert age_days(now - timedelta(days=412, hours=3), now) == 412
    assert age_days(now + timedelta(hours=1), now) == 0


def test_truncate() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"
    assert truncate("abc", 0) == ""


def test_a_byte_order_mark_or_an_arabic_letter_mark_cannot_reorder_card_text() -> None:
    forged = "ad\ufeffmin\u061c-user"
    assert clean(forged) == "ad min -user"
    assert "\ufeff" not in code(forged) and "\u061c" not in code(forged)
