"""An evaluator for the CloudWatch Logs JSON filter patterns keycheck's metric filters use.

moto's filter_log_events ignores JSON patterns, so this follows the grammar and meaning
that "Filter and pattern syntax" (CloudWatch Logs User Guide, "Matching terms in JSON log
events" and "JSON compound conditions") describes:

    pattern     := "{" expr "}"
    expr        := and_expr ( "||" and_expr )*           precedence: ( ) > && > ||
    and_expr    := term ( "&&" term )*
    term        := "(" expr ")" | condition
    condition   := SELECTOR ( "=" | "!=" ) VALUE
                 | SELECTOR "IS" ( "NULL" | "TRUE" | "FALSE" )
                 | SELECTOR "NOT" "EXISTS"
    SELECTOR    := "$" ( "." name | "[" index "]" )*      e.g. $.userIdentity.type, $.a[0].id
    VALUE       := "quoted string" | bare-token | number

- A string VALUE may start and/or end with "*" (any text before/after); a "*" elsewhere
  is a literal character ("Ev*ent" matches only "Ev*ent").
- "=" and "!=" apply only when the selector reaches a value node (string or number).
  A missing property, an object, an array or null makes both "=" and "!=" false ("the
  filter will not be applied because the log format doesn't match").
- "NOT EXISTS" is true only when the property is absent; "IS NULL" only when it is null.
- Matching is case sensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<punct>&&|\|\||!=|=|\(|\)|\{|\})
    | (?P<selector>\$(?:\.[\w-]+|\[\d+\])*)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<word>[^\s()&|"=!{}]+)
    )""",
    re.VERBOSE,
)
_MISSING = object()


class PatternError(ValueError):
    """The text is not a JSON filter pattern of the supported grammar."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(pattern: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    stripped = pattern.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if not match or match.end() == position:
            raise PatternError(f"unexpected text at {position}: {stripped[position:]!r}")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


def _select(event: Any, selector: str) -> Any:
    node = event
    for name, index in re.findall(r"\.([\w-]+)|\[(\d+)\]", selector):
        if name and isinstance(node, dict) and name in node:
            node = node[name]
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            return _MISSING
    return node


def _string_matches(expected: str, actual: str) -> bool:
    starts, ends = expected.startswith("*"), expected.endswith("*") and len(expected) > 1
    core = expected[1 if starts else 0 : -1 if ends else None]
    if starts and ends:
        return core in actual
    if starts:
        return actual.endswith(core)
    if ends:
        return actual.startswith(core)
    return actual == expected


class _NotApplied(Exception):
    """The selector does not reach a value node: the comparison is false either way."""


def _equals(node: Any, value: _Token) -> bool:
    if isinstance(node, bool) or not isinstance(node, str | int | float):
        raise _NotApplied
    if value.kind == "string":
        return isinstance(node, str) and _string_matches(value.text[1:-1], node)
    if isinstance(node, int | float):
        try:
            return float(value.text) == node
        except ValueError:
            return False
    return _string_matches(value.text, node)


class _Parser:
    def __init__(self, tokens: list[_Token], event: Any) -> None:
        self.tokens = tokens
        self.position = 0
        self.event = event

    def peek(self) -> str:
        return self.tokens[self.position].text if self.position < len(self.tokens) else ""

    def take(self, *expected: str) -> _Token:
        if self.position >= len(self.tokens):
            raise PatternError("pattern ends too early")
        token = self.tokens[self.position]
        if expected and token.text not in expected:
            raise PatternError(f"expected {' or '.join(expected)}, found {token.text!r}")
        self.position += 1
        return token

    # Every branch is evaluated (no short-circuit) so a malformed tail is always reported.
    def expr(self) -> bool:
        result = self.and_expr()
        while self.peek() == "||":
            self.take("||")
            result = self.and_expr() or result
        return result

    def and_expr(self) -> bool:
        result = self.term()
        while self.peek() == "&&":
            self.take("&&")
            result = self.term() and result
        return result

    def term(self) -> bool:
        if self.peek() == "(":
            self.take("(")
            result = self.expr()
            self.take(")")
            return result
        return self.condition()

    def condition(self) -> bool:
        selector = self.take()
        if selector.kind != "selector":
            raise PatternError(f"expected a $ selector, found {selector.text!r}")
        node = _select(self.event, selector.text)
        operator = self.take("=", "!=", "IS", "NOT")
        if operator.text == "NOT":
            self.take("EXISTS")
            return node is _MISSING
        if operator.text == "IS":
            word = self.take("NULL", "TRUE", "FALSE").text
            return node is None if word == "NULL" else node is (word == "TRUE")
        value = self.take()
        if value.kind not in ("string", "word"):
            raise PatternError(f"expected a value, found {value.text!r}")
        try:
            equal = _equals(node, value)
        except _NotApplied:
            return False
        return equal if operator.text == "=" else not equal


def matches(pattern: str, event: dict[str, Any]) -> bool:
    """Whether a JSON log event (already parsed) matches a `{ ... }` filter pattern."""
    parser = _Parser(_tokens(pattern), event)
    parser.take("{")
    result = parser.expr()
    parser.take("}")
    if parser.position != len(parser.tokens):
        raise PatternError(f"unexpected {parser.peek()!r} after the closing brace")
    return result
