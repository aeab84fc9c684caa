"""The few Block Kit pieces every builder uses, each within Slack's documented limits."""

from __future__ import annotations

from typing import Any

from bot.slack.format import fit

Block = dict[str, Any]
Message = tuple[str, list[Block]]
"""A message to post: its fallback text (what notifications show) and its blocks."""

# A text object holds at most 3,000 characters (Block Kit reference, "Text object").
TEXT_LIMIT = 3000


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
