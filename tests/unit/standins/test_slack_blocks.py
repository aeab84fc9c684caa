"""Block Kit limits on their own: the messages Slack's own validation would give."""

from __future__ import annotations

from bot.slack.blocks import text_length
from bot.standins.slack_blocks import block_errors, view_errors

MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Confirm"},
    "blocks": [
        {
            "type": "input",
            "label": {"type": "plain_text", "text": "Reason"},
            "element": {"type": "plain_text_input", "action_id": "reason", "max_length": 3000},
        }
    ],
}


def test_errors_point_at_the_offending_field() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x", "emoji": True}}]
    assert block_errors(blocks) == [
        "[ERROR] emoji is only allowed on plain_text [json-pointer:/blocks/0/text/emoji]"
    ]


def test_several_violations_are_all_reported() -> None:
    blocks = [
        {"type": "sections"},
        {"type": "divider", "block_id": "a"},
        {"type": "divider", "block_id": "a"},
    ]
    errors = block_errors(blocks)
    assert len(errors) == 2
    assert "unsupported block type: 'sections'" in errors[0]
    assert "duplicate block_id 'a'" in errors[1]


def test_button_styles_and_confirm_dialogs_are_checked() -> None:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": "Go"},
        "style": "warning",
        "confirm": {"title": {"type": "plain_text", "text": "t" * 101}},
    }
    errors = block_errors([{"type": "actions", "elements": [button]}])
    assert any("/elements/0/style" in e for e in errors)
    assert any("/confirm/title/text" in e for e in errors)
    assert any("/confirm/text" in e for e in errors)


def test_a_modal_with_inputs_needs_a_submit_button() -> None:
    assert view_errors(MODAL) == [
        "[ERROR] a modal with input blocks must have a submit button [json-pointer:/view/submit]"
    ]
    assert view_errors({**MODAL, "submit": {"type": "plain_text", "text": "Do it"}}) == []


def test_modal_limits() -> None:
    too_much = {
        **MODAL,
        "submit": {"type": "plain_text", "text": "s" * 25},
        "private_metadata": "m" * 3001,
        "blocks": [{"type": "divider"}] * 101,
    }
    pointers = [e.rsplit("json-pointer:", 1)[1] for e in view_errors(too_much)]
    assert pointers == ["/view/submit/text]", "/view/private_metadata]", "/view/blocks]"]


def test_text_length_counts_every_text_in_the_tree() -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "abc"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "de"}]},
    ]
    assert text_length(blocks) == 5
