"""Hypothesis strategies for JSON as AWS or anyone else might send it, odd corners included."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Every code point, lone surrogates included: JSON can carry them as \\udXXX escapes.
TEXT = st.text(st.characters(exclude_categories=()), max_size=20) | st.sampled_from(
    ["\ud800", "a\udfffb", "\ufeffx\u061c", "AKIAQWERTYUIOPASDFGH", "2026-05-21T12:11:58Z"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from([1e20, -1e20, 1e308, 2**63, -(2**70)])
    | TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


def nested(levels: int, leaf: Any) -> Any:
    for n in range(levels):
        leaf = {"a": leaf} if n % 2 else [leaf]
    return leaf


DEEP = st.builds(nested, st.integers(0, 600), JSON)
