"""Key id validation: what a responder may type, and what is never echoed."""

from __future__ import annotations

import pytest

from bot.domain.keys import key_kind, looks_like_secret, parse_key_id
from bot.domain.redact import redact_secrets
from bot.errors import InvalidKeyId, SecretPasted
from bot.models import KeyKind

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    "key", ["AKIAQWERTYUIOPASDFGH", "ASIAZZZZZZZZZZZZ2345", " AKIAQWERTYUIOPASDFGH "]
)
def test_real_key_ids_are_accepted(key: str) -> None:
    assert parse_key_id(key) == key.strip()


@pytest.mark.parametrize(
    "text",
    [
        "AKIA1234567890ABCDEF",  # 0, 1, 8, 9 are not in AWS's base32 alphabet
        "AKIAQWERTYUIOPASDFG",
        "AKIAQWERTYUIOPASDFGHJ",
        "akiaqwertyuiopasdfgh",
        "AIDAQWERTYUIOPASDFGH",
        "AKIAQWERTYUIOPASDFG!",
    ],
)
def test_malformed_ids_are_refused_with_what_to_type(text: str) -> None:
    with pytest.raises(InvalidKeyId, match="/keycheck AKIA"):
        parse_key_id(text)


def test_empty_argument_says_what_to_type() -> None:
    with pytest.raises(InvalidKeyId, match="No access key id given"):
        parse_key_id("   ")


def test_a_pasted_secret_is_refused_without_being_echoed() -> None:
    with pytest.raises(SecretPasted) as raised:
        parse_key_id(SECRET)
    assert SECRET not in str(raised.value)
    assert "rotate" in str(raised.value)
    assert looks_like_secret(f"key {SECRET} here")


def test_a_long_garbage_id_is_not_echoed() -> None:
    with pytest.raises(InvalidKeyId) as raised:
        parse_key_id("X" * 500)
    assert "XXXX" not in str(raised.value)


def test_a_secret_with_a_stray_character_is_not_echoed_even_in_part() -> None:
    with pytest.raises(InvalidKeyId) as raised:
        parse_key_id(SECRET + "x")
    assert SECRET[:8] not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("AKIA1234567890ABCDEF", "contains `0`, `1`, `8`, `9`"),
        ("AKIAQWERTYUIOPASDFG", "19 characters, not 20"),
        ("AIDAQWERTYUIOPASDFGH", "must start with AKIA"),
    ],
)
def test_the_message_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(InvalidKeyId, match=problem):
        parse_key_id(text)


def test_kinds() -> None:
    assert key_kind("AKIAQWERTYUIOPASDFGH") is KeyKind.LONG_TERM
    assert key_kind("ASIAQWERTYUIOPASDFGH") is KeyKind.TEMPORARY


def test_redaction_removes_secret_shaped_text() -> None:
    assert redact_secrets(f"ua {SECRET} end") == "ua [redacted] end"
    assert redact_secrets(f"aws_secret_access_key={SECRET}") == "aws_secret_access_key=[redacted]"
    assert redact_secrets(f"secret:{SECRET}") == "secret:[redacted]"
    assert not looks_like_secret("AKIAQWERTYUIOPASDFGH")
