"""Calls on what the same caller made a moment before: automation configuring its own things.

Infrastructure as code creates a secret and reads it back, puts a parameter and reads it
back, creates a role for a Lambda or EC2 and attaches its policies. Each of those calls,
alone, looks like credential access or privilege escalation; after the creation by the
same key, it is the creator handling what it already holds:

- reading a secret or parameter the same key created or wrote earlier in the timeline is
  not credential access: the key knew the value, it wrote it;
- granting policies to a role the same key created with a trust admitting only AWS
  services grants nobody anything: no identity can assume that role. (A role created
  with a trust naming users or accounts is persistence.role_trust, and its grants stay
  privilege escalation.)
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.analysis.bursts import actor
from bot.analysis.exposure import trust_admits_principals
from bot.events import RuleId, TimelineEvent

SECRETS = "secretsmanager.amazonaws.com"
SSM = "ssm.amazonaws.com"
IAM = "iam.amazonaws.com"
_WRITES = {(SECRETS, "CreateSecret"), (SECRETS, "PutSecretValue"), (SSM, "PutParameter")}
_READS = {
    (SECRETS, "GetSecretValue"),
    (SSM, "GetParameter"),
    (SSM, "GetParameters"),
}
_ROLE_GRANTS = {"AttachRolePolicy", "PutRolePolicy"}


def _secret_names(event: TimelineEvent) -> set[str]:
    """The names a secret or parameter is known by in requests: name, id, ARN and ARN's name."""
    params, response = event.request_parameters, event.response_elements
    names = {params.get("name"), params.get("secretId"), response.get("arn"), response.get("name")}
    names.update(params.get("names") or [])
    found = {str(name) for name in names if name}
    return found | {name.rsplit(":", 1)[-1] for name in found if name.startswith("arn:")}


def _service_roles(events: Sequence[TimelineEvent]) -> dict[tuple[str, str], TimelineEvent]:
    """(actor, role name) of the roles created with a trust only AWS services can use."""
    return {
        (actor(event), str(event.request_parameters.get("roleName", ""))): event
        for event in events
        if event.event_source == IAM
        and event.event_name == "CreateRole"
        and not event.error_code
        and not trust_admits_principals(event)
    }


def _read_back(names: set[str], written: set[str]) -> bool:
    return bool(names) and names <= written


def own_resource_calls(events: Sequence[TimelineEvent]) -> dict[str, RuleId]:
    """Event id → the tag to drop, for calls on what the same key itself made before.

    Events come in time order, as merged; only the few of these three services are read.
    """
    relevant = [e for e in events if e.event_source in (SECRETS, SSM, IAM)]
    written: dict[str, set[str]] = {}
    roles = _service_roles(relevant)
    dropped: dict[str, RuleId] = {}
    for event in relevant:
        call, who = (event.event_source, event.event_name), actor(event)
        if call in _WRITES and not event.error_code:
            written.setdefault(who, set()).update(_secret_names(event))
        elif call in _READS and _read_back(_secret_names(event), written.get(who, set())):
            dropped[event.event_id] = RuleId.CREDENTIAL_ACCESS_SECRETS
        elif event.event_source == IAM and event.event_name in _ROLE_GRANTS:
            created = roles.get((who, str(event.request_parameters.get("roleName", ""))))
            if created is not None and created.time <= event.time:
                dropped[event.event_id] = RuleId.PRIVESC_POLICY
    return dropped
