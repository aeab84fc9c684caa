"""Who is called in when the owner says no: the group when set, else each responder."""

from __future__ import annotations

from bot.respond.owner import EMAIL, SLACK_ID, mention_responders


def test_the_group_is_mentioned_when_there_is_one() -> None:
    assert mention_responders("S0RESPONDERS", ["U0ALICE"]) == "<!subteam^S0RESPONDERS>"


def test_without_a_group_each_responder_is_mentioned_and_nothing_else() -> None:
    assert mention_responders("", ["U0ALICE", "W0BOB", "<!channel>"]) == "<@U0ALICE> <@W0BOB>"


def test_an_owner_tag_is_a_slack_id_or_an_email_and_nothing_else() -> None:
    assert SLACK_ID.match("U0DANA") and not SLACK_ID.match("dana")
    assert EMAIL.match("dana@example.com") and not EMAIL.match("<@U0DANA>")
