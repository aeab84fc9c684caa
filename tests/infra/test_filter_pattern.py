"""The filter-pattern evaluator against the examples of AWS's "Filter and pattern syntax"."""

from __future__ import annotations

import pytest

from tests.infra.filter_pattern import PatternError, matches

# The JSON log event of the "JSON metric filter examples" section.
EXAMPLE = {
    "eventType": "UpdateTrail",
    "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
    "ThisFlag": True,
}
# The JSON log event of the "JSON compound conditions" section.
COMPOUND = {
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [
        {"id": 2, "email": "John.Doe@example.com"},
        {"id": 3, "email": "Jane.Doe@example.com"},
    ],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
}


@pytest.mark.parametrize(
    "pattern",
    [
        '{ $.eventType = "UpdateTrail" }',
        "{ $.sourceIPAddress != 123.123.* }",
        '{ $.arrayKey[0] = "value" }',
        "{ $.objectList[1].id = 2 }",
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
        "{ $.ThisFlag IS TRUE }",
    ],
)
def test_documented_filters_that_match(pattern: str) -> None:
    assert matches(pattern, EXAMPLE)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch'
            " && $.actions[2] = nomatch }",
            True,
        ),
        (
            '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch)'
            " && $.actions[2] = nomatch }",
            False,
        ),
    ],
)
def test_documented_compound_conditions(pattern: str, expected: bool) -> None:
    assert matches(pattern, COMPOUND) is expected


def test_or_of_the_documented_or_example() -> None:
    pattern = "{$.foo = bar || $.foo = baz }"
    assert matches(pattern, {"foo": "bar"})
    assert matches(pattern, {"foo": "baz"})
    assert not matches(pattern, {"foo": "qux"})


def test_selector_on_an_array_never_compares() -> None:
    """Documented: both {$.users = 1} and {$.users != 1} fail when users is an array."""
    assert not matches("{ $.users = 1 }", {"users": [1, 2, 3]})
    assert not matches("{ $.users != 1 }", {"users": [1, 2, 3]})


@pytest.mark.parametrize(
    ("expected_text", "value", "hit"),
    [
        ("*Event", "PutEvent", True),
        ("*Event", "EventId", False),
        ("Event*", "EventName", True),
        ("Event*", "PutEvent", False),
        ("*Unauthorized*", "Client.UnauthorizedOperation", True),
        ("Ev*ent", "Event", False),
        ("Ev*ent", "Ev*ent", True),
    ],
)
def test_wildcards_only_at_the_ends(expected_text: str, value: str, hit: bool) -> None:
    assert matches(f'{{ $.name = "{expected_text}" }}', {"name": value}) is hit


def test_missing_property_fails_equal_and_not_equal() -> None:
    assert not matches('{ $.errorCode = "AccessDenied" }', {})
    assert not matches('{ $.errorCode != "AccessDenied" }', {})
    assert not matches('{ $.errorCode != "AccessDenied" }', {"errorCode": None})


def test_and_binds_tighter_than_or() -> None:
    event = {"a": "1", "b": "2", "c": "3"}
    assert matches('{ $.a = "x" && $.b = "y" || $.c = "3" }', event)
    assert not matches('{ $.a = "x" && ($.b = "y" || $.c = "3") }', event)


@pytest.mark.parametrize(
    "pattern",
    ['$.a = "1"', '{ $.a = "1"', '{ a = "1" }', '{ $.a "1" }', '{ $.a = "1" } extra', "{ $.a IS }"],
)
def test_malformed_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(PatternError):
        matches(pattern, {"a": "1"})
