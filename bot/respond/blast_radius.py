"""How bad it could be: what the principal behind a key may do, from its policies in force.

The classification is Salesforce's cloudsplaining (privilege-escalation paths, data
exfiltration, resource exposure, credentials exposure, infrastructure modification) over
every policy in force for the principal at once, so an Allow in one policy and a Deny in
another are weighed together, as IAM does. Results are cached per principal: a flood of
alerts costs one read of IAM, and a card never waits for it.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from cloudsplaining.scan.policy_document import PolicyDocument

from bot.aws.policies import NamedPolicy, role_policies, user_policies
from bot.aws.sessions import Sessions, unreachable
from bot.errors import KeycheckError
from bot.models import BlastRadius, KeyReport, PrincipalKind
from bot.respond.containment import principal_of

log = logging.getLogger(__name__)

CACHE_SECONDS = 600.0
# "Admin-equivalent": an Allow of * on *, with (nearly) all of it still allowed after the
# denies; a deny of one service still leaves an administrator.
ADMIN_SHARE = 0.9


@functools.cache
def every_action_count() -> int:
    """How many actions IAM knows, in the catalogue cloudsplaining ships (read once)."""
    everything = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    return len(
        PolicyDocument({"Version": "2012-10-17", "Statement": [everything]}).all_allowed_actions
    )


def statements(policies: Iterable[NamedPolicy]) -> list[dict[str, Any]]:
    """Every statement of every policy, as one list (a lone statement may be an object)."""
    found: list[dict[str, Any]] = []
    for policy in policies:
        listed = policy.document.get("Statement", [])
        found += [
            s for s in (listed if isinstance(listed, list) else [listed]) if isinstance(s, dict)
        ]
    return found


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def grants_everything(statement: dict[str, Any]) -> bool:
    """An unconditioned Allow of every action on every resource: administrator, in effect."""
    if statement.get("Effect") != "Allow" or statement.get("Condition"):
        return False
    actions = _as_list(statement.get("Action", []))
    return "*" in actions and "*" in _as_list(statement.get("Resource", []))


def assess(principal: str, policies: list[NamedPolicy]) -> BlastRadius:
    """The risk classes of what these policies allow together; pure, no AWS call.

    cloudsplaining weighs Deny statements in its list of allowed actions but not in every
    risk class, so each class keeps only the actions still allowed: with keycheck's
    deny-all in place, nothing is left.
    """
    merged = statements(policies)
    document = PolicyDocument({"Version": "2012-10-17", "Statement": merged})
    allowed = {action.lower() for action in document.all_allowed_actions}

    def still(actions: Iterable[str]) -> list[str]:
        return sorted(a for a in set(actions) if a.lower() in allowed)

    escalation = {
        path["type"]
        for path in document.allows_privilege_escalation
        if all(action.lower() in allowed for action in path["actions"])
    }
    return BlastRadius(
        principal=principal,
        admin_equivalent=any(grants_everything(s) for s in merged)
        and len(allowed) >= ADMIN_SHARE * every_action_count(),
        privilege_escalation=sorted(escalation),
        data_exfiltration=still(document.allows_data_exfiltration_actions),
        resource_exposure=still(document.permissions_management_without_constraints),
        credentials_exposure=still(document.credentials_exposure),
        infrastructure_modification=still(document.infrastructure_modification),
        policies=[f"{p.source}: {p.name}" for p in policies],
    )


class BlastRadii:
    """Reads and classifies a principal's policies once per CACHE_SECONDS, thread-safely."""

    def __init__(
        self,
        sessions: Sessions,
        *,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[str, tuple[float, BlastRadius]] = {}
        self._lock = threading.Lock()
        # One thread: assessments queue behind each other, never in front of a card.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="blast-radius")

    def later(self, report: KeyReport, then: Callable[[BlastRadius], None]) -> None:
        """Assess in the background, then call `then` (to redraw a card); errors are logged."""

        def run() -> None:
            try:
                then(self.compute(report))
            except Exception:  # a card without its blast radius is still a card
                log.exception("blast radius of %s not shown", report.access_key_id)

        self._pool.submit(run)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def cached(self, report: KeyReport) -> BlastRadius | None:
        """The last assessment of the key's principal, if still fresh; never calls AWS."""
        principal = _principal(report)
        with self._lock:
            entry = self._cache.get(principal) if principal else None
        if entry is None or self.clock() - entry[0] >= self.ttl:
            return None
        return entry[1]

    def compute(self, report: KeyReport) -> BlastRadius:
        """Read the principal's policies and classify them; a failure is the result's error."""
        principal = _principal(report)
        if not principal:
            return BlastRadius(principal="", error=report.error or "the key's owner is unknown")
        try:
            result = assess(principal, self._policies(report))
        except (ClientError, BotoCoreError, KeycheckError) as error:
            log.warning("blast radius of %s not read: %s", principal, error)
            result = BlastRadius(principal=principal, error=_why(error))
        with self._lock:
            self._cache[principal] = (self.clock(), result)
        return result

    def forget(self, report: KeyReport) -> None:
        """After containment changed the policies: the next look reads them again."""
        with self._lock:
            self._cache.pop(_principal(report), None)

    def _policies(self, report: KeyReport) -> list[NamedPolicy]:
        kind, name = principal_of(report)
        iam = self.sessions.client("iam", report.account_id)
        if kind is PrincipalKind.ROLE:
            return role_policies(iam, name)
        return user_policies(iam, name)


def _principal(report: KeyReport) -> str:
    """`account/user/name` or `account/role/name`; "" when the owner is unknown."""
    try:
        kind, name = principal_of(report)
    except KeycheckError:
        return ""
    return f"{report.account_id}/{kind.value}/{name}"


def _why(error: Exception) -> str:
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        return f"{detail.get('Code', 'error')}: {detail.get('Message', '')}".strip(": ")
    if isinstance(error, BotoCoreError):
        return unreachable(error)
    return str(error)
