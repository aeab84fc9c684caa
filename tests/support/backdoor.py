"""The backdoor scenario: a leaked key makes a key for admin-user, that key makes a backdoor
user with a key of its own, and the backdoor's key grants it everything and stops CloudTrail.

`seed_backdoor` leaves that in IAM (moto), with admin-user's key deactivated since;
`attack_records` is the CloudTrail the attack wrote, with the key ids moto issued.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tests.unit.analysis.support import ACCOUNT, KEY, T0, as_user, create_access_key, record

ADMIN_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/everything"
EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Backdoor:
    """The keys moto issued: the one for admin-user, and the backdoor user's."""

    first: str
    second: str


def seed_backdoor(iam: Any) -> Backdoor:
    """What the attack left in IAM; admin-user's key has been deactivated since."""
    for user in ("admin-user", "backdoor"):
        iam.create_user(UserName=user)
    first = iam.create_access_key(UserName="admin-user")["AccessKey"]["AccessKeyId"]
    second = iam.create_access_key(UserName="backdoor")["AccessKey"]["AccessKeyId"]
    iam.create_policy(PolicyName="everything", PolicyDocument=json.dumps(EVERYTHING))
    iam.attach_user_policy(UserName="backdoor", PolicyArn=ADMIN_POLICY)
    iam.update_access_key(UserName="admin-user", AccessKeyId=first, Status="Inactive")
    return Backdoor(first, second)


def attack_records(keys: Backdoor, start: datetime = T0, leaked: str = KEY) -> list[dict[str, Any]]:
    admin, door = as_user(keys.first, "admin-user"), as_user(keys.second, "backdoor")
    return [
        create_access_key(keys.first, "admin-user", key=leaked, when=start + MINUTE),
        record(
            "CreateUser",
            key=keys.first,
            identity=admin,
            when=start + 2 * MINUTE,
            requestParameters={"userName": "backdoor"},
        ),
        create_access_key(
            keys.second, "backdoor", key=keys.first, identity=admin, when=start + 3 * MINUTE
        ),
        record(
            "AttachUserPolicy",
            key=keys.second,
            identity=door,
            when=start + 4 * MINUTE,
            requestParameters={"userName": "backdoor", "policyArn": ADMIN_POLICY},
        ),
        record(
            "StopLogging",
            "cloudtrail",
            key=keys.second,
            identity=door,
            when=start + 5 * MINUTE,
            requestParameters={"name": "management-events"},
        ),
    ]
