"""The `/keycheck` report with the card's blast radius: the same line and detail section."""

from __future__ import annotations

from bot.models import BlastRadius
from bot.slack.blocks import Message, context
from bot.slack.cards import blast_section

READING = "*What it can do* :hourglass_flowing_sand: reading its policies…"


def with_blast_radius(message: Message, blast: BlastRadius | None) -> Message:
    """The report's blocks with the blast radius before its buttons; None: being read now."""
    text, blocks = message
    found = blast_section(blast) if blast is not None else [context(READING)]
    at = next((i for i, b in enumerate(blocks) if b.get("type") == "actions"), len(blocks))
    return text, [*blocks[:at], *found, *blocks[at:]]
