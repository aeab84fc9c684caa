"""Find every AWS operation keycheck's code calls, as IAM actions, by reading its source.

The convention in bot/aws: each function takes its boto3 client as a parameter annotated
with the mypy-boto3 type (`iam: IAMClient`); a call `iam.update_access_key(...)` or
`iam.get_paginator("list_access_keys")` on such a parameter is an AWS operation. A
parameter left as `Any` still counts when it is named after its service (`sts`).
Method names are checked against botocore's service models, so a helper method that is
not an operation is reported instead of guessed at.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import botocore.session
from botocore import xform_name

CLIENT_TYPES = {
    "AccountClient": "account",
    "AthenaClient": "athena",
    "CloudTrailClient": "cloudtrail",
    "CloudWatchLogsClient": "logs",
    "DynamoDBClient": "dynamodb",
    "EC2Client": "ec2",
    "GlueClient": "glue",
    "IAMClient": "iam",
    "LambdaClient": "lambda",
    "OrganizationsClient": "organizations",
    "S3Client": "s3",
    "SecretsManagerClient": "secretsmanager",
    "SNSClient": "sns",
    "SQSClient": "sqs",
    "STSClient": "sts",
    "SupportClient": "support",
}
SERVICE_NAMES = frozenset(CLIENT_TYPES.values())
# Where the IAM action is not "<signing name>:<operation>".
ACTION_NAMES = {
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
}
NOT_OPERATIONS = frozenset({"get_waiter", "can_paginate", "close"})


@dataclass(frozen=True)
class Call:
    action: str  # e.g. "iam:UpdateAccessKey"
    where: str  # "bot/aws/iam.py:98"


class UnknownMethod(ValueError):
    """A method called on a client that is not an operation of its service."""


@cache
def _operations(service: str) -> tuple[str, dict[str, str]]:
    model = botocore.session.get_session().get_service_model(service)
    return model.signing_name, {xform_name(op): op for op in model.operation_names}


def action_for(service: str, method: str) -> str:
    """`("iam", "update_access_key")` -> "iam:UpdateAccessKey"."""
    prefix, operations = _operations(service)
    if method not in operations:
        raise UnknownMethod(f"{service}.{method} is not an operation of {service}")
    action = f"{prefix}:{operations[method]}"
    return ACTION_NAMES.get(action, action)


def _service_of(arg: ast.arg) -> str | None:
    for node in ast.walk(arg.annotation) if arg.annotation else ():
        name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value.rsplit(".", 1)[-1]
        if name in CLIENT_TYPES:
            return CLIENT_TYPES[name]
    return arg.arg if arg.arg in SERVICE_NAMES else None


def calls_in_source(source: str, filename: str) -> list[Call]:
    """Every AWS operation called on a client parameter in one module."""
    calls: list[Call] = []
    for function in ast.walk(ast.parse(source, filename)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = function.args
        params = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
        clients = {arg.arg: service for arg in params if (service := _service_of(arg))}
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            target, method = node.func.value, node.func.attr
            if not (isinstance(target, ast.Name) and target.id in clients):
                continue
            if method in NOT_OPERATIONS:
                continue
            if method == "get_paginator":
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    raise UnknownMethod(f"{filename}:{node.lineno}: paginator name not a literal")
                method = first.value
            action = action_for(clients[target.id], method)
            calls.append(Call(action, f"{filename}:{node.lineno}"))
    return calls


def calls_under(root: Path, package: Path) -> list[Call]:
    """Every AWS operation called in the Python files under `package` (paths relative to root)."""
    return [
        call
        for path in sorted(package.rglob("*.py"))
        for call in calls_in_source(path.read_text(), str(path.relative_to(root)))
    ]
