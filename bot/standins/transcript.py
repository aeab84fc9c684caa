"""A Slack channel as a person would read it, as plain text for a terminal (the demo prints it).

The input is the channel's log in Slack's own shapes, oldest first: messages as
conversations.history returns them (`ts`, `text`, `blocks`, `thread_ts`, `files`,
`edited`), plus two markers a real history lacks: `ephemeral_to` on a message only
one person saw, and entries `{"type": "modal", "ts", "user", "view"}` for modals opened.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

Json = dict[str, Any]

_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>|<([^<>]+)>")
_FIELD_GAP = 2


def _link(match: re.Match[str]) -> str:
    target, label, bare = match.group(1), match.group(2), match.group(3)
    if bare is None:
        return f"{label} ({target})" if target.startswith("http") else label
    if bare.startswith(("@", "#")):
        return bare
    if bare.startswith("!"):
        return "@" + bare[1:].split("^")[0]
    return bare


def mrkdwn_to_text(text: str) -> str:
    """Links, mentions and entities as a reader sees them; bold and code marks stay."""
    return html.unescape(_LINK.sub(_link, text))


def _text_of(obj: object) -> str:
    if not isinstance(obj, dict):
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_to_text(text) if obj.get("type") == "mrkdwn" else html.unescape(text)


def _element(element: Json) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[ {_text_of(element.get('text'))} ]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind == "plain_text_input":
        return "[ ____________________ ]"
    if kind in ("plain_text", "mrkdwn"):
        return _text_of(element)
    if kind == "overflow":
        choices = [_text_of(o.get("text")) for o in element.get("options") or []]
        return f"[ ⋯ {' · '.join(choices)} ]"
    placeholder = _text_of(element.get("placeholder"))
    return f"[ {placeholder or kind} ▾ ]"


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, width, replace_whitespace=False) or [""])
    return lines


def _fields(fields: Sequence[object], width: int) -> list[str]:
    """Section fields two to a row, as Slack lays them out."""
    column = (width - _FIELD_GAP) // 2
    rows: list[str] = []
    for start in range(0, len(fields), 2):
        left = _wrap(_text_of(fields[start]), column)
        right = _wrap(_text_of(fields[start + 1]), column) if start + 1 < len(fields) else []
        for index in range(max(len(left), len(right))):
            cell = left[index] if index < len(left) else ""
            other = right[index] if index < len(right) else ""
            rows.append((cell.ljust(column + _FIELD_GAP) + other).rstrip())
    return rows


def _row(items: Iterable[str], width: int, separator: str) -> list[str]:
    """Items side by side, wrapped at the width without splitting an item."""
    lines, current = [], ""
    for item in items:
        if len(item) > width:
            lines += [current] if current else []
            *full, current = _wrap(item, width)
            lines += full
            continue
        joined = f"{current}{separator}{item}" if current else item
        if current and len(joined) > width:
            lines.append(current)
            joined = item
        current = joined
    return [*lines, current] if current else lines


def _section(block: Json, width: int) -> list[str]:
    lines = _wrap(_text_of(block.get("text")), width) if "text" in block else []
    lines += _fields(block.get("fields") or [], width)
    accessory = block.get("accessory")
    if isinstance(accessory, dict):
        lines.append(_element(accessory))
    return lines


def render_block(block: Json, width: int = 100) -> list[str]:
    """One block as terminal lines."""
    kind = block.get("type")
    if kind == "header":
        title = _text_of(block.get("text"))
        return [title, "━" * min(width, len(title))]
    if kind == "section":
        return _section(block, width)
    if kind == "divider":
        return ["─" * width]
    if kind == "context":
        parts = [_element(e) for e in block.get("elements") or [] if isinstance(e, dict)]
        return [f"  {line}" for line in _row(parts, width - 2, "  ·  ")]
    if kind == "actions":
        parts = [_element(e) for e in block.get("elements") or [] if isinstance(e, dict)]
        return _row(parts, width, " ")
    if kind == "input":
        element = block.get("element")
        shown = _element(element) if isinstance(element, dict) else ""
        return [f"{_text_of(block.get('label'))}: {shown}"]
    if kind in ("markdown", "rich_text"):
        return _wrap(_flatten(block), width)
    if kind == "image":
        return [_element(block)]
    return [f"[{kind}]"]


def _flatten(value: object) -> str:
    """The text inside a rich_text or markdown block, without its structure."""
    if isinstance(value, dict):
        own = value.get("text")
        if isinstance(own, str):
            return own + "".join(_flatten(v) for k, v in value.items() if k != "text")
        return "".join(_flatten(v) for v in value.values())
    if isinstance(value, list):
        return "".join(_flatten(item) for item in value)
    return ""


def render_message(message: Json, width: int = 100) -> list[str]:
    """A message's body: its blocks when it has them (as Slack shows), else its text; then files."""
    blocks = [b for b in message.get("blocks") or [] if isinstance(b, dict)]
    lines: list[str] = []
    for block in blocks:
        lines += render_block(block, width)
    if not blocks and message.get("text"):
        lines += _wrap(mrkdwn_to_text(str(message["text"])), width)
    for shared in message.get("files") or []:
        lines.append(f"📎 {shared.get('name', '?')} ({shared.get('size', 0)} bytes)")
    if message.get("ephemeral_to"):
        lines.insert(0, f"(only visible to @{message['ephemeral_to']})")
    if message.get("edited"):
        lines.append("(edited)")
    return lines


def render_modal(entry: Json, width: int = 100) -> list[str]:
    view = entry.get("view") or {}
    title = _text_of(view.get("title"))
    who = f" for @{entry['user']}" if entry.get("user") else ""
    lines = [f"[modal{who}] {title}"]
    for block in view.get("blocks") or []:
        lines += [f"  {line}" for line in render_block(block, width - 2)]
    buttons = [f"[ {_text_of(view.get(k))} ]" for k in ("close", "submit") if view.get(k)]
    return lines + ([f"  {' '.join(buttons)}"] if buttons else [])


def _is_reply(entry: Json) -> bool:
    thread = entry.get("thread_ts")
    return bool(thread) and thread != entry.get("ts")


def render_channel(messages: Sequence[Json], width: int = 100) -> str:
    """Each top-level message, then its thread indented beneath it; ephemerals and modals marked."""
    replies: dict[str, list[Json]] = {}
    for entry in messages:
        if _is_reply(entry):
            replies.setdefault(str(entry["thread_ts"]), []).append(entry)
    out: list[str] = []
    for entry in messages:
        if _is_reply(entry):
            continue
        if out:
            out.append("")
        body = render_modal(entry, width) if entry.get("type") == "modal" else None
        out += body if body is not None else render_message(entry, width)
        for reply in replies.get(str(entry.get("ts")), []):
            lines = render_message(reply, width - 4)
            out += [f"  │ {line}".rstrip() for line in lines]
            out.append("  │")
        if out and out[-1] == "  │":
            out[-1] = "  └"
    return "\n".join(out) + "\n"
