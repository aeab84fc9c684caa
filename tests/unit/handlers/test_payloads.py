"""Who is asking, from what Slack sends: the payload's own user, never a field beside it."""

from __future__ import annotations

from handlers.payloads import user_of


def test_an_interactive_payloads_user_is_its_user_id_even_beside_a_user_id() -> None:
    body = {"type": "view_submission", "user_id": "U0RESPONDER", "user": {"id": "U0STRANGER"}}
    assert user_of(body) == "U0STRANGER"


def test_a_top_level_user_id_outside_a_slash_command_names_nobody() -> None:
    assert user_of({"type": "block_actions", "user_id": "U0RESPONDER"}) == ""


def test_a_slash_command_names_its_user_id() -> None:
    assert user_of({"command": "/keycheck", "user_id": "U0RESPONDER"}) == "U0RESPONDER"
