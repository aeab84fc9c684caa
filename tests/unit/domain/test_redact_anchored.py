"""The quick redaction is the plain one: every pattern's `sub` in turn, on any text.

The patterns are tried only where their fixed texts occur, and the AWS secret is found by
byte searches; this holds them to the regular expressions they stand for, on texts made
of the pieces where the two could part: anchors in every case, runs of 39 to 41 base64
characters, `=`, quotes, the letters a case-insensitive match takes for ASCII ones.
"""

from __future__ import annotations

import re
import sys

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain import redact
from bot.domain.redact import FOLDS, REDACTED, redact_bytes, redact_secrets

_B64 = r"A-Za-z0-9/+"
AWS_SECRET = re.compile(
    rf"(?<![{_B64}])(?=[{_B64}]*[a-z])(?=[{_B64}]*[A-Z])[{_B64}]{{40}}(?![{_B64}=])"
)
PATTERNS = [re.compile(rule.source) for rule in redact._RULES]
ANCHORS = sorted({anchor for rule in redact._RULES for anchor, _ in rule.anchors})
# How each kind of secret begins in the wild, whatever the anchors it is sought by.
LEADS = [
    *("-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----"),
    *("IQoJb3JpZ2lu", "AgoJb3JpZ2lu", "FwoGZXIvYXdz", "FQoGZXIvYXdz", "AQoDYXdz"),
    *("session_token", "SECURITY-TOKEN", "sessionToken", "secret_access_key", "Secret-Access-Key"),
    *("xoxb-", "xoxp-", "xapp-", "xoxe.xoxp-", "xoxe-", "https://hooks.slack.com/"),
    *("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "Authorization: Bearer "),
]


def plain(text: str) -> str:
    """The specification: each pattern's `sub` over the whole text, in order."""
    for pattern in PATTERNS:
        text = pattern.sub(redact._replace, text)
    return AWS_SECRET.sub(REDACTED, text)


def _cases(word: str) -> list[str]:
    return [word, word.upper(), word.title(), word.swapcase()]


# Base64 runs around 40 long: of both cases, of one (a hex digest, an upper-case id).
_RUNS = st.builds(
    lambda letters, length, seed: "".join(
        letters[(seed >> (i % 16) ^ i) % len(letters)] for i in range(length)
    ),
    st.sampled_from(["aZ09/+Qk", "ABCDEF0123", "abcdef0123/+"]),
    st.sampled_from([16, 30, 39, 40, 41, 80]),
    st.integers(0, 2**16),
)
# A name or prefix, what may follow it, and a value: where a secret would be.
_NAMED = st.builds(
    "".join,
    st.tuples(
        st.sampled_from([*ANCHORS, *LEADS]),
        st.sampled_from(["", ": ", "=", '": "', " = '", "services/", "_", "-1-"]),
        st.sampled_from(["abcdefghijklmnop1234", "T000/B000/XXXXXXXX", "a1B2" * 9, "x" * 5]),
    ),
)
_PIECES = st.one_of(
    _NAMED,
    st.sampled_from([c for anchor in ANCHORS for c in _cases(anchor)]),
    st.sampled_from(
        [
            *("session_token", "SECURITY-TOKEN", "secret_access_key", "Secret-Access-Key"),
            *(": ", "=", '"', "'", "\\n", "\\", " ", "\n", "-", "_", "/", "é", "\udc80"),
            *("PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----", "services/", "xoxb-"),
            *("session", "Security", "secret", "Token"),
            *LEADS,
            *sorted(FOLDS),
        ]
    ),
    _RUNS,
    st.text(max_size=6),
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=14))
@example(["SECURITY_TOKEN", ": ", "abcdefghijklmnop1234"])
@example(["https://hooks.slack.com/", "services/", "T000/B000/XXXXXXXX"])
@example(["x ", "aZ09/+Qk" * 5, "="])
def test_the_quick_redaction_equals_every_patterns_sub(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert redact_secrets(text) == plain(text)
    data = text.encode(errors="surrogateescape")
    assert redact_bytes(data) == plain(text).encode(errors="surrogateescape")


def test_the_letters_folded_onto_the_anchors_are_all_known() -> None:
    """FOLDS must hold every other character a case-insensitive pattern matches to a letter
    of a folded rule's anchors, or a secret named with one would be missed."""
    letters = {
        c for rule in redact._RULES if rule.folded for anchor, _ in rule.anchors for c in anchor
    }
    anchor_letter = re.compile(f"(?i)[{''.join(sorted(letters))}]")
    folded = {
        chr(point) for point in range(128, sys.maxunicode + 1) if anchor_letter.match(chr(point))
    }
    assert folded == FOLDS


def test_a_name_spelt_with_a_folded_letter_is_still_redacted() -> None:
    text = 'ſecurity_token: "abcdefghijklmnop1234" and é'
    assert redact_secrets(text) == plain(text) == f'ſecurity_token: "{REDACTED}" and é'
    text = 'session_to\u212aen: "abcdefghijklmnop1234"'
    assert redact_secrets(text) == plain(text) == f'session_to\u212aen: "{REDACTED}"'
    text = 'ſecret_access_key = "abcdefghijklmnop1234"'
    assert redact_secrets(text) == plain(text) == f'ſecret_access_key = "{REDACTED}"'


def test_the_shortest_secret_is_as_long_as_the_shortest_text_searched() -> None:
    assert len("xoxb-123456") == redact.SHORTEST
    assert redact_secrets("xoxb-123456") == plain("xoxb-123456") == REDACTED
