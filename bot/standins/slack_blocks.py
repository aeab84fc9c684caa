"""Block Kit limits as slack.com enforces them, so builders that pass here pass in Slack.

The numbers are Slack's documented limits (docs.slack.dev, Block Kit reference):
50 blocks in a message and 100 in a modal, section text 3,000 characters, ten
section fields of 2,000, header text 150, ten context elements, 25 elements in an
actions block, button text 75 and value 2,000, action_id and block_id 255, URLs
3,000, modal title/submit/close 24, private_metadata 3,000. action_ids must be
unique within their block and block_ids within their message. Slack also refuses
messages whose blocks carry too much text in total (`msg_blocks_too_long`, seen
around 13,000 characters but not documented): we refuse above 12,000 to keep a margin.
Errors read as Slack's do: `[ERROR] <what> [json-pointer:/blocks/0/text/text]`.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ID_LENGTH = 255
URL_LENGTH = 3000
MARKDOWN_TEXT = 12000
BLOCKS_TOTAL_TEXT = 12000
VIEW_TEXT = 24
PRIVATE_METADATA = 3000
OPTION_TEXT = 75
OPTION_VALUE = 150
PLACEHOLDER = 150

_SELECTS = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)
_SIMPLE_ELEMENTS = frozenset(
    {"datepicker", "timepicker", "datetimepicker", "email_text_input", "url_text_input"}
    | {"number_input", "file_input", "rich_text_input"}
)
_OPTION_ELEMENTS = {"overflow": 5, "radio_buttons": 10, "checkboxes": 10}
_FREE_BLOCKS = frozenset({"divider", "file", "video", "rich_text"})


class _Checker:
    """Collects every violation, as Slack lists several in one response."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, pointer: str, what: str) -> None:
        self.errors.append(f"[ERROR] {what} [json-pointer:{pointer}]")

    def length(self, value: object, pointer: str, limit: int, *, required: bool = False) -> None:
        if value is None and not required:
            return
        if not isinstance(value, str):
            self.fail(pointer, "must be a string")
        elif required and not value:
            self.fail(pointer, "must be more than 0 characters")
        elif len(value) > limit:
            self.fail(pointer, f"must be less than {limit + 1} characters")

    def text(self, obj: object, pointer: str, limit: int, *, plain_only: bool = False) -> None:
        if not isinstance(obj, dict):
            self.fail(pointer, "must provide an object")
            return
        kind = obj.get("type")
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if kind not in allowed:
            self.fail(f"{pointer}/type", f"must be one of {', '.join(allowed)}")
        if kind == "mrkdwn" and "emoji" in obj:
            self.fail(f"{pointer}/emoji", "emoji is only allowed on plain_text")
        if kind == "plain_text" and "verbatim" in obj:
            self.fail(f"{pointer}/verbatim", "verbatim is only allowed on mrkdwn")
        self.length(obj.get("text"), f"{pointer}/text", limit, required=True)

    def optional_text(self, obj: Any, pointer: str, limit: int) -> None:
        if obj is not None:
            self.text(obj, pointer, limit, plain_only=True)

    def items(self, value: object, pointer: str, low: int, high: int) -> list[Any]:
        if not isinstance(value, list):
            self.fail(pointer, "must provide an array")
            return []
        if not low <= len(value) <= high:
            self.fail(pointer, f"must provide between {low} and {high} items")
        return value


def _confirm(check: _Checker, obj: Any, pointer: str) -> None:
    if not isinstance(obj, dict):
        check.fail(pointer, "must provide an object")
        return
    check.text(obj.get("title"), f"{pointer}/title", 100, plain_only=True)
    check.text(obj.get("text"), f"{pointer}/text", 300)
    check.text(obj.get("confirm"), f"{pointer}/confirm", 30, plain_only=True)
    check.text(obj.get("deny"), f"{pointer}/deny", 30, plain_only=True)


def _button(check: _Checker, element: dict[str, Any], pointer: str) -> None:
    check.text(element.get("text"), f"{pointer}/text", BUTTON_TEXT, plain_only=True)
    check.length(element.get("value"), f"{pointer}/value", BUTTON_VALUE)
    check.length(element.get("url"), f"{pointer}/url", URL_LENGTH)
    if element.get("style") not in (None, "primary", "danger"):
        check.fail(f"{pointer}/style", "must be one of primary, danger")
    if "confirm" in element:
        _confirm(check, element["confirm"], f"{pointer}/confirm")


def _options(check: _Checker, value: object, pointer: str, high: int) -> None:
    for index, option in enumerate(check.items(value, pointer, 1, high)):
        at = f"{pointer}/{index}"
        if not isinstance(option, dict):
            check.fail(at, "must provide an object")
            continue
        check.text(option.get("text"), f"{at}/text", OPTION_TEXT)
        check.length(option.get("value"), f"{at}/value", OPTION_VALUE, required=True)


def _element(check: _Checker, element: object, pointer: str) -> None:
    if not isinstance(element, dict):
        check.fail(pointer, "must provide an object")
        return
    kind = element.get("type")
    check.length(element.get("action_id"), f"{pointer}/action_id", ID_LENGTH)
    if kind == "button":
        _button(check, element, pointer)
    elif kind in _OPTION_ELEMENTS:
        _options(check, element.get("options"), f"{pointer}/options", _OPTION_ELEMENTS[kind])
    elif kind == "image":
        check.length(element.get("image_url"), f"{pointer}/image_url", URL_LENGTH, required=True)
        check.length(element.get("alt_text"), f"{pointer}/alt_text", 2000, required=True)
    elif kind == "plain_text_input":
        check.optional_text(element.get("placeholder"), f"{pointer}/placeholder", PLACEHOLDER)
        for bound in ("min_length", "max_length"):
            limit = element.get(bound, 0)
            if not isinstance(limit, int) or not 0 <= limit <= SECTION_TEXT:
                check.fail(f"{pointer}/{bound}", f"must be between 0 and {SECTION_TEXT}")
    elif kind in _SELECTS:
        check.optional_text(element.get("placeholder"), f"{pointer}/placeholder", PLACEHOLDER)
        if kind in ("static_select", "multi_static_select") and "option_groups" not in element:
            _options(check, element.get("options"), f"{pointer}/options", 100)
    elif kind not in _SIMPLE_ELEMENTS:
        check.fail(f"{pointer}/type", f"unsupported element type: {kind!r}")


def _section(check: _Checker, block: dict[str, Any], pointer: str) -> None:
    if "text" not in block and "fields" not in block:
        check.fail(pointer, "must provide text or fields")
    if "text" in block:
        check.text(block["text"], f"{pointer}/text", SECTION_TEXT)
    if "fields" in block:
        fields = check.items(block["fields"], f"{pointer}/fields", 1, SECTION_FIELDS)
        for index, field in enumerate(fields):
            check.text(field, f"{pointer}/fields/{index}", FIELD_TEXT)
    if "accessory" in block:
        _element(check, block["accessory"], f"{pointer}/accessory")


def _context(check: _Checker, block: dict[str, Any], pointer: str) -> None:
    elements = check.items(block.get("elements"), f"{pointer}/elements", 1, CONTEXT_ELEMENTS)
    for index, element in enumerate(elements):
        at = f"{pointer}/elements/{index}"
        if isinstance(element, dict) and element.get("type") == "image":
            _element(check, element, at)
        else:
            check.text(element, at, SECTION_TEXT)


def _actions(check: _Checker, block: dict[str, Any], pointer: str) -> None:
    elements = check.items(block.get("elements"), f"{pointer}/elements", 1, ACTIONS_ELEMENTS)
    seen: set[str] = set()
    for index, element in enumerate(elements):
        at = f"{pointer}/elements/{index}"
        _element(check, element, at)
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if isinstance(action_id, str):
            if action_id in seen:
                check.fail(f"{at}/action_id", f"duplicate action_id {action_id!r} in block")
            seen.add(action_id)


def _input(check: _Checker, block: dict[str, Any], pointer: str) -> None:
    check.text(block.get("label"), f"{pointer}/label", 2000, plain_only=True)
    check.optional_text(block.get("hint"), f"{pointer}/hint", 2000)
    _element(check, block.get("element"), f"{pointer}/element")


def _block(check: _Checker, block: object, pointer: str) -> None:
    if not isinstance(block, dict):
        check.fail(pointer, "must provide an object")
        return
    kind = block.get("type")
    if kind == "section":
        _section(check, block, pointer)
    elif kind == "header":
        check.text(block.get("text"), f"{pointer}/text", HEADER_TEXT, plain_only=True)
    elif kind == "context":
        _context(check, block, pointer)
    elif kind == "actions":
        _actions(check, block, pointer)
    elif kind == "input":
        _input(check, block, pointer)
    elif kind == "image":
        _element(check, block, pointer)
        check.optional_text(block.get("title"), f"{pointer}/title", 2000)
    elif kind == "markdown":
        check.length(block.get("text"), f"{pointer}/text", MARKDOWN_TEXT, required=True)
    elif kind not in _FREE_BLOCKS:
        check.fail(f"{pointer}/type", f"unsupported block type: {kind!r}")


def _blocks(check: _Checker, blocks: object, pointer: str, limit: int) -> None:
    block_ids: set[str] = set()
    for index, block in enumerate(check.items(blocks, pointer, 0, limit)):
        at = f"{pointer}/{index}"
        _block(check, block, at)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            check.length(block_id, f"{at}/block_id", ID_LENGTH, required=True)
            if block_id in block_ids:
                check.fail(f"{at}/block_id", f"duplicate block_id {block_id!r}")
            block_ids.add(str(block_id))


def block_errors(blocks: object) -> list[str]:
    """Every way a message's blocks break Slack's limits; empty when Slack would accept them."""
    check = _Checker()
    _blocks(check, blocks, "/blocks", MESSAGE_BLOCKS)
    if not check.errors and isinstance(blocks, list):
        _models(check, blocks, "/blocks")
    return check.errors


def _models(check: _Checker, blocks: list[Any], where: str) -> None:
    """The same blocks through slack_sdk's own models: a second reading of Slack's rules."""
    for index, block in enumerate(blocks):
        parsed = Block.parse(block) if isinstance(block, dict) else None
        if parsed is None:
            check.fail(f"{where}/{index}", "is not a block slack_sdk knows")
            continue
        try:
            parsed.validate_json()
        except SlackObjectFormationError as error:
            check.fail(f"{where}/{index}", f"slack_sdk: {error}")


def _view_model(check: _Checker, view: dict[str, Any]) -> None:
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError) as error:
        check.fail("/view", f"slack_sdk: {error}")


def view_errors(view: object) -> list[str]:
    """Every way a modal breaks Slack's limits; empty when views.open would accept it."""
    check = _Checker()
    if not isinstance(view, dict):
        check.fail("/view", "must provide an object")
        return check.errors
    if view.get("type") not in ("modal", "home"):
        check.fail("/view/type", "must be one of modal, home")
    if view.get("type") == "modal":
        check.text(view.get("title"), "/view/title", VIEW_TEXT, plain_only=True)
        check.optional_text(view.get("submit"), "/view/submit", VIEW_TEXT)
        check.optional_text(view.get("close"), "/view/close", VIEW_TEXT)
    check.length(view.get("callback_id"), "/view/callback_id", ID_LENGTH)
    check.length(view.get("external_id"), "/view/external_id", ID_LENGTH)
    check.length(view.get("private_metadata"), "/view/private_metadata", PRIVATE_METADATA)
    _blocks(check, view.get("blocks"), "/view/blocks", VIEW_BLOCKS)
    if not check.errors:
        _view_model(check, view)
    blocks = view.get("blocks")
    blocks = blocks if isinstance(blocks, list) else []
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if view.get("type") == "modal" and has_input and "submit" not in view:
        check.fail("/view/submit", "a modal with input blocks must have a submit button")
    return check.errors
