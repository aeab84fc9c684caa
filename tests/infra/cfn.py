"""Read keycheck's CloudFormation templates and resolve them the way CloudFormation would.

Only what the templates use: parameters (defaults, CommaDelimitedList), pseudo parameters,
Ref, Fn::Sub, Fn::Join, Fn::Split, Fn::If with AWS::NoValue, Fn::FindInMap, Fn::Equals,
Fn::Not, Fn::And, Fn::GetAtt and conditions. References to resources resolve to readable
placeholders ("<AlertTopic>", "<AlertQueue.Arn>"), enough to check patterns and policies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

INFRA = Path(__file__).resolve().parents[2] / "infra"
TEMPLATES = sorted(INFRA.glob("*.yaml"))
CLOUDFORMATION_TEMPLATES = [p for p in TEMPLATES if not p.name.startswith("slack-manifest")]
NO_VALUE = object()


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !Sub, ...), read as long form."""


def _construct(tag: str) -> Any:
    def build(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {tag if tag in ("Ref", "Condition") else f"Fn::{tag}": value}

    return build


SHORT_FORMS = "Ref Sub GetAtt Join Split If FindInMap Equals Not And Condition"
for _tag in SHORT_FORMS.split():
    _Loader.add_constructor(f"!{_tag}", _construct(_tag))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(), Loader=_Loader)
    return data


@dataclass
class Stack:
    """A template with parameter values, resolving intrinsics like a deployment would."""

    path: Path
    overrides: dict[str, str] = field(default_factory=dict)
    region: str = "us-east-1"
    account: str = "111122223333"

    def __post_init__(self) -> None:
        self.template = load(self.path)
        self.parameters: dict[str, Any] = {}
        for name, spec in self.template.get("Parameters", {}).items():
            raw = self.overrides.get(name, spec.get("Default"))
            if raw is None:
                raise KeyError(f"{self.path.name}: parameter {name} needs a value")
            raw = str(raw)
            is_list = spec["Type"] == "CommaDelimitedList"
            self.parameters[name] = raw.split(",") if is_list else raw
        self.parameters |= {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": "aws",
            "AWS::StackName": self.path.stem,
            "AWS::URLSuffix": "amazonaws.com",
        }

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return {
            name: spec
            for name, spec in self.template["Resources"].items()
            if "Condition" not in spec or self.condition(spec["Condition"])
        }

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Resolved Properties of every deployed resource of a type, by logical id."""
        return {
            name: self.resolve(spec.get("Properties", {}))
            for name, spec in self.resources.items()
            if spec["Type"] == resource_type
        }

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template["Conditions"][name]))

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.resolve(item) for item in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            function = getattr(self, "_" + key.replace("Fn::", "").lower(), None)
            if function and (key == "Ref" or key == "Condition" or key.startswith("Fn::")):
                return function(arg)
        resolved = {key: self.resolve(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not NO_VALUE}

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        return self.parameters.get(name, f"<{name}>")

    def _condition(self, name: str) -> bool:
        return self.condition(name)

    def _getatt(self, arg: list[str]) -> str:
        return f"<{arg[0]}.{arg[1]}>"

    def _sub(self, arg: str | list[Any]) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        values = {name: self.resolve(value) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in values:
                return str(values[name])
            if "." in name and not name.startswith("AWS::"):
                return self._getatt(name.split(".", 1))
            value = self._ref(name)
            return ",".join(value) if isinstance(value, list) else str(value)

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _join(self, arg: list[Any]) -> str:
        return str(arg[0]).join(str(v) for v in self.resolve(arg[1]))

    def _split(self, arg: list[Any]) -> list[str]:
        return str(self.resolve(arg[1])).split(arg[0])

    def _if(self, arg: list[Any]) -> Any:
        return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])

    def _findinmap(self, arg: list[Any]) -> Any:
        keys = self.resolve(arg)
        return self.template["Mappings"][keys[0]][keys[1]][keys[2]]

    def _equals(self, arg: list[Any]) -> bool:
        left, right = self.resolve(arg)
        return bool(left == right)

    def _not(self, arg: list[Any]) -> bool:
        return not self.resolve(arg[0])

    def _and(self, arg: list[Any]) -> bool:
        return all(self.resolve(arg))
