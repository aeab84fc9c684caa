"""The one redaction: every kind of secret goes, access key ids stay, JSON stays JSON."""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.redact import (
    REDACTED,
    install_log_redaction,
    redact_bytes,
    redact_secrets,
    redact_value,
)

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = (
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDRk0Lb1t2ljWVX8t8W5jYxb"
    "2Pg7Kx6Um9QhWkU9xRkPQIgVZHjS8pTc3Jk3mJxyDM3wNqv0Xrq6yRrX2r6uLyGsWIq+gIIg///////"
)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7\n"
    "MyOwZ2Q4yF5lQ2x0+Fh1dP/9Mcd8s3E9bUGI=\n-----END RSA PRIVATE KEY-----"
)
KEY_IDS = ("AKIAQWERTYUIOPASDFGH", "ASIAZZZZZZZZZZZZ2345")


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        (f"ua {SECRET} end", SECRET),
        (f"aws_secret_access_key={SECRET}", SECRET),
        (f"token {SESSION_TOKEN}", SESSION_TOKEN),
        ('"sessionToken": "FQoGZXIvYXdzEAAaDLQ4Z0abcdefgh12"', "FQoGZXIvYXdzEAAaDLQ4Z0abcdefgh12"),
        ("aws_session_token = AgoJb3JpZ2luX2Vj0123456789", "AgoJb3JpZ2luX2Vj0123456789"),
        (
            "reason: xoxb-1234567890-0987654321-AbCdEfGhIjKl",
            "xoxb-1234567890-0987654321-AbCdEfGhIjKl",
        ),
        ("xoxp-1-2-3-abcdef123", "xoxp-1-2-3-abcdef123"),
        ("app token xapp-1-A0123-456-abcdef", "xapp-1-A0123-456-abcdef"),
        ("rotated xoxe.xoxp-1-Mi0yLTEyMzQ1Ng", "xoxe.xoxp-1-Mi0yLTEyMzQ1Ng"),
        ("xoxe-1-My0xLTEyMzQ1Ni0x", "xoxe-1-My0xLTEyMzQ1Ni0x"),
        ("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX", "T000/B000/XXXXXXXXXXXX"),
        ("ghp_" + "a1B2" * 9, "ghp_" + "a1B2" * 9),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "eyJhbGciOiJIUzI1NiJ9"),
        (f"key: {PEM} then", "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn"),
    ],
)
def test_each_kind_of_secret_is_redacted(text: str, gone: str) -> None:
    redacted = redact_secrets(text)
    assert gone not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize(
    "text",
    [
        *KEY_IDS,
        f"{KEY_IDS[0]} used from 198.51.100.7",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",  # a SHA-1: one case
        "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole",
        "inc-20261201-0a1b2c",
        "1700000000.000100",
    ],
)
def test_access_key_ids_and_ordinary_ids_are_kept(text: str) -> None:
    assert redact_secrets(text) == text


def test_a_pem_block_inside_json_goes_and_the_json_still_reads() -> None:
    document = json.dumps({"pem": PEM, "next": "kept", "nested": json.dumps({"pem": PEM})})
    decoded = json.loads(redact_secrets(document))
    assert decoded["pem"] == REDACTED and decoded["next"] == "kept"
    assert json.loads(decoded["nested"]) == {"pem": REDACTED}


def test_a_csv_with_secrets_still_reads_with_the_same_shape() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["ua", "params"], [f"cli {SECRET}", json.dumps({"k": PEM})]])
    rows = list(csv.reader(io.StringIO(redact_secrets(buffer.getvalue()))))
    assert rows == [["ua", "params"], [f"cli {REDACTED}", json.dumps({"k": REDACTED})]]


def test_values_and_bytes_are_redacted_all_the_way_down() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"a {SECRET}"}}]
    assert redact_value(blocks) == [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"a {REDACTED}"}}
    ]
    assert redact_value((("f.csv", SECRET.encode()),)) == (("f.csv", REDACTED.encode()),)
    assert redact_bytes(b"\xff\xfe " + SECRET.encode()) == b"\xff\xfe " + REDACTED.encode()


def test_every_log_record_is_redacted_for_every_handler(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    install_log_redaction()  # twice is once
    log = logging.getLogger("bot.anywhere")
    with caplog.at_level(logging.INFO):
        log.info("user agent %s for %s", SECRET, KEY_IDS[0])
        try:
            raise ValueError(f"bad token xoxb-1234567890-abcdefghij {SECRET}")
        except ValueError:
            log.exception("failed")
    text = caplog.text
    assert SECRET not in text and "xoxb-1234567890" not in text
    assert KEY_IDS[0] in text and "ValueError" in text


_PIECES = st.sampled_from(
    [SECRET, SESSION_TOKEN, PEM, "xoxb-1-2-abcdef", *KEY_IDS, '"', "\\", "\n", " ", "=", "/"]
)


@given(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=12))
def test_redacted_json_reads_back_and_keeps_every_key_id(pieces: list[str]) -> None:
    text = "".join(pieces)
    document = json.dumps({"value": text, "list": pieces})
    decoded = json.loads(redact_secrets(document))
    assert SECRET not in decoded["list"] and PEM not in decoded["list"]
    for key_id in KEY_IDS:
        assert decoded["list"].count(key_id) == pieces.count(key_id)
