"""The few Block Kit pieces every builder uses, each within Slack's documented limits."""

from __future__ import annotations

from typing import Any

from bot.slack.format import fit

Block = dict[str, Any]
Message = tuple[str, list[Block]]
"""A message to post: its fallback text (what notifications show) and its blocks."""

# A text object holds at most 3,000 characters (Block Kit reference, "Text object").
TEXT_LIMIT = 3000
# What one long message may carry in all, well under where Slack starts refusing.
SUMMARY_BUDGET = 10_000


def text_length(value: object) -> int:
    """Characters of text in a block tree: Slack refuses a message whose total is too large.

    The refusal (`msg_blocks_too_long`) is not documented; it was seen around 13,000
    characters, so builders keep their messages under SUMMARY_BUDGET.
    """
    if isinstance(value, dict):
        own = len(value["text"]) if isinstance(value.get("text"), str) else 0
        return own + sum(text_length(v) for v in value.values())
    if isinstance(value, list):
        return sum(text_length(item) for item in value)
    return 0


def mrkdwn(text: str, limit: int = TEXT_LIMIT, *, verbatim: bool = False) -> Block:
    """A mrkdwn text object; `verbatim` keeps Slack from turning names and URLs into links."""
    element: Block = {"type": "mrkdwn", "text": fit(text, limit)}
    if verbatim:
        element["verbatim"] = True
    return element


def section(text: str, *, verbatim: bool = False) -> Block:
    return {"type": "section", "text": mrkdwn(text, verbatim=verbatim)}


def context(*parts: str, limit: int = TEXT_LIMIT, verbatim: bool = False) -> Block:
    """A context block; Slack allows ten elements."""
    return {
        "type": "context",
        "elements": [mrkdwn(part, limit, verbatim=verbatim) for part in parts[:10]],
    }
