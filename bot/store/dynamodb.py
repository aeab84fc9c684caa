"""The store on one DynamoDB table, for several replicas or Lambda: the SQLite contract, shared."""

from __future__ import annotations

import json
import re
import secrets
import time
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from hashlib import sha256
from typing import TYPE_CHECKING, Final

from botocore.exceptions import ClientError

from bot.aws import dynamodb as ddb
from bot.aws.dynamodb import Plain, TransactionCancelled
from bot.models import ActionRecord, ActionState, Alert, Incident, IncidentStatus, Watch
from bot.store.base import (
    QUARANTINED,
    AlertOutcome,
    alert_json,
    holder_gone,
    read_alert,
    stored_json,
)
from bot.store.sqlite import incident_for

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

TABLE_NAME: Final = re.compile(r"[A-Za-z0-9_.-]{3,255}")
UNRECOGNISED: Final = "unrecognised"
UNPOSTED: Final = "UNPOSTED"
QUARANTINE: Final = "QUARANTINE"
COUNTER: Final = "COUNTER"
WATCHES: Final = "WATCHES"
# Optimistic writes go again after a lost race; this many rounds outlasts any realistic
# number of replicas writing to one incident at once.
MAX_ATTEMPTS: Final = 32
# An alert's JSON (its raw envelope and parsed events) can pass DynamoDB's 400 KB item limit.
COMPRESS_OVER: Final = 64 * 1024
# Key parts longer than this are replaced by their digest: keys are capped at 1-2 KB.
MAX_KEY_PART: Final = 256
# Written only by record_alert, which keeps them exact under concurrency; save_incident
# writes them only when it creates the item, so a stale copy cannot undo another's count.
RECORD_OWNED: Final = frozenset(
    {"id", "account_id", "subject", "alert_count", "first_seen", "last_seen", "severity"}
)


class StoreContention(RuntimeError):
    """A write lost its race more often than MAX_ATTEMPTS; the caller's retry (SQS) takes over."""


def part(value: str) -> str:
    """One key component: '#' separates components, so escape it; digest what is too long."""
    if len(value) > MAX_KEY_PART:
        value = "~" + sha256(value.encode()).hexdigest()
    return value.replace("%", "%25").replace("#", "%23")


def key(*parts: str) -> str:
    return "#".join(part(p) for p in parts)


def when(moment: datetime) -> str:
    """Fixed-width ISO 8601 in UTC, so that sort keys sort by time whatever the input offset."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def order(moment: datetime) -> str:
    """Time, then write time: ties keep the order they were stored in, as SQLite's rowid does."""
    return f"{when(moment)}#{time.time_ns():020d}"


def incident_key(incident_id: str) -> Plain:
    return {"pk": key("INC", incident_id), "sk": "INCIDENT"}


def claim_key(dedup_key: str) -> Plain:
    return {"pk": key("ALERT", dedup_key), "sk": "ALERT"}


def open_key(account_id: str, subject: str) -> Plain:
    return {"pk": key("OPEN", account_id, subject), "sk": "OPEN"}


def thread_key(channel: str, thread_ts: str) -> Plain:
    return {"pk": key("THREAD", channel, thread_ts), "sk": "THREAD"}


def action_key(action_id: str) -> Plain:
    return {"pk": key("ACTION", action_id), "sk": "ACTION"}


def idempotency_key(idempotency: str) -> Plain:
    return {"pk": key("IDEM", idempotency), "sk": "IDEM"}


def incident_item(incident: Incident) -> Plain:
    """The incident's JSON as native attributes, so single fields can be updated atomically."""
    return {**incident_key(incident.id), **json.loads(stored_json(incident))}


def incident_from(item: Plain) -> Incident:
    return Incident.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})


def packed(alert: Alert) -> Plain:
    """The alert's JSON, compressed when it is large enough to risk the item size limit."""
    data = alert_json(alert)
    if len(data) > COMPRESS_OVER:
        return {"dataz": zlib.compress(data.encode())}
    return {"data": data}


def unpacked(item: Plain) -> Alert | None:
    """The stored alert, or None when it cannot be read (see read_alert)."""
    where = f"{item['pk']} {item['sk']}"
    try:
        data = zlib.decompress(bytes(item["dataz"])) if "dataz" in item else item["data"]
    except (zlib.error, KeyError):
        data = b""
    return read_alert(data, where)


def action_from(item: Plain) -> ActionRecord:
    return ActionRecord.model_validate_json(item["data"])


def pause(attempt: int, reasons: Iterable[str]) -> None:
    """After a lost race go again at once (someone progressed); after a conflict, back off."""
    if set(reasons) and set(reasons) <= {"None", "ConditionalCheckFailed"}:
        return
    time.sleep(secrets.randbelow(10 + min(attempt, 6) * 40) / 1000)


class DynamoStore:
    """Store on one DynamoDB table, shared by every replica; every read is strongly consistent.

    Item layout (pk / sk):

    - ``INC#<id>`` / ``INCIDENT``: the incident, its fields as attributes.
    - ``INC#<id>`` / ``ALERT#<received>#<seq>#<dedup>``: an alert's JSON (``data``, or
      zlib ``dataz`` when large); ``alerts_for`` is one Query of this collection.
    - ``ALERT#<dedup>`` / ``ALERT``: the dedup claim, naming the alert's incident.
    - ``UNPOSTED`` / ``<dedup>``: one pointer per alert not yet in Slack; ``mark_posted``
      deletes it, so the backlog is one Query of only what is pending.
    - ``QUARANTINE`` / ``<alert sk>``: an alert that could not be read, its pointer moved
      here out of the backlog.
    - ``OPEN#<account>#<subject>`` / ``OPEN``: the incident new alerts join. A conditional
      put on it is what makes replicas agree on one incident per (account, subject).
    - ``THREAD#<channel>#<ts>`` / ``THREAD``: the incident whose card is at (channel, ts).
    - ``ACTION#<id>`` / ``ACTION``: an action's JSON, with its ``state`` for compare-and-swap.
    - ``IDEM#<key>`` / ``IDEM``: the idempotency claim, naming the action.
    - ``INC#<id>``, ``TARGET#<account>#<target>``, ``PARENT#<id>``, ``ACTIONS`` /
      ``ACTION#<requested>#<seq>#<id>``: immutable index entries naming an action, read with
      a Query and a BatchGetItem, so the action's current state is always what is returned.
    - ``COUNTER`` / ``<name>``: a counter, incremented with ADD.
    - ``WATCH#<id>`` / ``WATCH``: a watch on a contained key, its JSON in ``data``.
    - ``WATCHES`` / ``<id>``: one pointer per watch not ended, so the poller's read is one
      Query of only what is live.

    No GSI: a GSI is eventually consistent, and a replica must see at once the alert,
    the action or the posted mark another one just wrote (a stale action history would
    give a new click an old idempotency key). Nothing here Scans.
    """

    def __init__(self, client: DynamoDBClient, table: str, *, owns_client: bool = False) -> None:
        self._client = client
        self._table = table
        self._owns_client = owns_client

    @classmethod
    def open(
        cls, table: str, *, client: DynamoDBClient | None = None, region: str = ""
    ) -> DynamoStore:
        """Check the table at start, so a wrong name or key schema fails now, not mid-incident."""
        if not TABLE_NAME.fullmatch(table):
            raise ValueError(f"not a DynamoDB table name: {table[:80]!r}")
        owns = client is None
        client = client or ddb.client(region)
        try:
            schema = ddb.describe_key_schema(client, table)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                where = client.meta.region_name
                raise ValueError(f"DynamoDB table {table!r} does not exist in {where}") from error
            raise
        if schema != {"HASH": "pk", "RANGE": "sk"}:
            raise ValueError(f"DynamoDB table {table!r} must be keyed by pk (hash), sk (range)")
        return cls(client, table, owns_client=owns)

    # Alerts and incidents.

    def record_alert(self, alert: Alert) -> AlertOutcome:
        """Claim the dedup key and count the alert in one transaction; on a lost race, re-read.

        The claim carries this call's token, so a write that landed although its answer was
        lost (a 5xx, then a retry that finds the claim taken) is known as ours, not a repeat.
        """
        subject = alert.subject or UNRECOGNISED
        writer = secrets.token_hex(8)
        for attempt in range(MAX_ATTEMPTS):
            claim = self._get(claim_key(alert.dedup_key))
            if claim is not None:
                incident = self._existing_incident(claim["incident_id"])
                if claim.get("writer") == writer:
                    return AlertOutcome(incident, created=bool(claim["opened"]), duplicate=False)
                return AlertOutcome(incident, created=False, duplicate=True)
            current, stale = self._current(alert.account_id, subject)
            try:
                if current is None:
                    return self._open(alert, stale, writer)
                return self._join(alert, current, writer)
            except TransactionCancelled as cancelled:
                pause(attempt, cancelled.reasons)
        raise StoreContention(f"recording alert {alert.dedup_key[:80]!r} kept losing races")

    def _open(self, alert: Alert, stale: str, writer: str) -> AlertOutcome:
        """A new incident, and the OPEN pointer to it: only one replica's put of it succeeds."""
        incident = incident_for(alert)
        pointer = {**open_key(incident.account_id, incident.subject), "incident_id": incident.id}
        taken = "attribute_not_exists(pk)"
        ops = [
            *self._alert_ops(alert, incident.id, writer, opened=True),
            ddb.put_op(self._table, incident_item(incident), condition=taken),
            ddb.put_op(
                self._table,
                pointer,
                condition=f"{taken} OR #i = :stale" if stale else taken,
                names={"#i": "incident_id"} if stale else None,
                values={":stale": stale} if stale else None,
            ),
        ]
        ddb.transact_write(self._client, ops)
        return AlertOutcome(incident, created=True, duplicate=False)

    def _join(self, alert: Alert, current: Incident, writer: str) -> AlertOutcome:
        """Count the alert in, only if nobody counted another one or closed it since we read."""
        seen = alert.occurred_at or alert.received_at
        updated = current.model_copy(
            update={
                "alert_count": current.alert_count + 1,
                "last_seen": max(current.last_seen, seen),
                "severity": max(current.severity, alert.severity, key=lambda s: s.rank),
            }
        )
        fields = json.loads(stored_json(updated))
        count = ddb.update_op(
            self._table,
            incident_key(current.id),
            "SET #count = :count, #last = :last, #sev = :sev",
            condition="#count = :was AND #status <> :closed",
            names={"#count": "alert_count", "#last": "last_seen", "#sev": "severity"}
            | {"#status": "status"},
            values={
                ":count": fields["alert_count"],
                ":last": fields["last_seen"],
                ":sev": fields["severity"],
                ":was": current.alert_count,
                ":closed": IncidentStatus.CLOSED.value,
            },
        )
        ops = [*self._alert_ops(alert, current.id, writer, opened=False), count]
        ddb.transact_write(self._client, ops)
        return AlertOutcome(updated, created=False, duplicate=False)

    def _alert_ops(
        self, alert: Alert, incident_id: str, writer: str, *, opened: bool
    ) -> list[TransactWriteItemTypeDef]:
        """The dedup claim (conditional: the first replica wins), the alert, its unposted mark."""
        stored = order(alert.received_at)
        alert_sk = key("ALERT", stored, alert.dedup_key)
        claim = {
            **claim_key(alert.dedup_key),
            "incident_id": incident_id,
            "alert_sk": alert_sk,
            "writer": writer,
            "opened": opened,
        }
        return [
            ddb.put_op(self._table, claim, condition="attribute_not_exists(pk)"),
            ddb.put_op(
                self._table,
                {"pk": key("INC", incident_id), "sk": alert_sk, **packed(alert)},
            ),
            ddb.put_op(
                self._table,
                {
                    "pk": UNPOSTED,
                    "sk": part(alert.dedup_key),
                    "incident_id": incident_id,
                    "alert_sk": alert_sk,
                    "order": stored,
                },
            ),
        ]

    def _current(self, account_id: str, subject: str) -> tuple[Incident | None, str]:
        """The incident the OPEN pointer names if it is not closed; else the stale id, if any."""
        pointer = self._get(open_key(account_id, subject))
        if pointer is None:
            return None, ""
        incident = self.get_incident(pointer["incident_id"])
        if incident is None or incident.status is IncidentStatus.CLOSED:
            return None, str(pointer["incident_id"])
        return incident, ""

    def _existing_incident(self, incident_id: str) -> Incident:
        incident = self.get_incident(incident_id)
        if incident is None:
            raise LookupError(f"incident {incident_id!r} is named by an alert but missing")
        return incident

    def get_incident(self, incident_id: str) -> Incident | None:
        item = self._get(incident_key(incident_id))
        return incident_from(item) if item is not None else None

    def find_incident(self, account_id: str, subject: str) -> Incident | None:
        """The OPEN pointer's incident.

        Unlike SQLite this does not fall back to an older incident reopened after a newer
        one was opened and then closed; nothing in keycheck closes incidents that way.
        """
        return self._current(account_id, subject)[0]

    def find_incident_by_thread(self, channel: str, thread_ts: str) -> Incident | None:
        pointer = self._get(thread_key(channel, thread_ts))
        if pointer is None:
            return None
        incident = self.get_incident(pointer["incident_id"])
        if incident is None or (incident.channel, incident.thread_ts) != (channel, thread_ts):
            return None
        return incident

    def save_incident(self, incident: Incident) -> None:
        """Write what people change; the counts stay record_alert's (see RECORD_OWNED)."""
        fields = json.loads(stored_json(incident))
        sets: list[str] = []
        names: dict[str, str] = {}
        values: Plain = {}
        for n, (name, value) in enumerate(sorted(fields.items())):
            names[f"#f{n}"], values[f":v{n}"] = name, value
            keep = name in RECORD_OWNED
            sets.append(f"#f{n} = if_not_exists(#f{n}, :v{n})" if keep else f"#f{n} = :v{n}")
        ops = [
            ddb.update_op(
                self._table,
                incident_key(incident.id),
                "SET " + ", ".join(sets),
                names=names,
                values=values,
            )
        ]
        if incident.thread_ts:
            thread = thread_key(incident.channel, incident.thread_ts)
            ops.append(ddb.put_op(self._table, {**thread, "incident_id": incident.id}))
        self._commit(ops)
        self._point_open(incident)

    def _point_open(self, incident: Incident) -> None:
        """Keep the OPEN pointer right: released on close, taken when free or stale."""
        pointer = open_key(incident.account_id, incident.subject)
        names, mine = {"#i": "incident_id"}, {":me": incident.id}
        if incident.status is IncidentStatus.CLOSED:
            ddb.delete_item(
                self._client, self._table, pointer, condition="#i = :me", names=names, values=mine
            )
            return
        holder, stale = self._current(incident.account_id, incident.subject)
        if holder is not None:
            return
        item = {**pointer, "incident_id": incident.id}
        if stale:
            ddb.put_item(
                self._client,
                self._table,
                item,
                condition="#i = :stale",
                names=names,
                values={":stale": stale},
            )
        else:
            ddb.put_item(self._client, self._table, item, condition="attribute_not_exists(pk)")

    def mark_posted(self, dedup_key: str) -> None:
        ddb.delete_item(self._client, self._table, {"pk": UNPOSTED, "sk": part(dedup_key)})

    def unposted_alerts(self) -> list[tuple[Alert, Incident]]:
        """One Query of the pending pointers, one BatchGetItem of their alerts and incidents."""
        pointers = sorted(
            ddb.query(self._client, self._table, UNPOSTED), key=lambda p: (p["order"], p["sk"])
        )
        wanted = [{"pk": key("INC", p["incident_id"]), "sk": p["alert_sk"]} for p in pointers]
        wanted += [incident_key(p["incident_id"]) for p in pointers]
        items = {(i["pk"], i["sk"]): i for i in ddb.batch_get(self._client, self._table, wanted)}
        backlog = []
        for p in pointers:
            item = items.get((key("INC", p["incident_id"]), p["alert_sk"]))
            incident = items.get((key("INC", p["incident_id"]), "INCIDENT"))
            if item is None or incident is None:
                continue
            alert = unpacked(item)
            if alert is None:
                self._quarantine(p)
                continue
            backlog.append((alert, incident_from(incident)))
        return backlog

    def _quarantine(self, pointer: Plain) -> None:
        """Move an unreadable alert's pointer out of the backlog; only its first mover counts it.

        Put, then delete: after a crash between the two the next read finishes the move.
        """
        moved = {**pointer, "pk": QUARANTINE, "sk": pointer["alert_sk"]}
        if ddb.put_item(self._client, self._table, moved, condition="attribute_not_exists(pk)"):
            self.bump(QUARANTINED)
        ddb.delete_item(self._client, self._table, {"pk": UNPOSTED, "sk": pointer["sk"]})

    def alerts_for(self, incident_id: str) -> list[Alert]:
        items = ddb.query(self._client, self._table, key("INC", incident_id), sk_prefix="ALERT#")
        alerts = (unpacked(item) for item in items)
        return [alert for alert in alerts if alert is not None]

    # Actions.

    def begin_action(self, record: ActionRecord) -> tuple[ActionRecord, bool]:
        """Claim the idempotency key with the record in one transaction: one replica wins.

        A claim naming this record after this call tried to write it is this call's own
        write, whose answer was lost: inserted, not a repeat.
        """
        tried = False
        for attempt in range(MAX_ATTEMPTS):
            claim = self._get(idempotency_key(record.idempotency_key))
            if claim is not None:
                existing = self.get_action(claim["action_id"])
                if existing is None:
                    raise LookupError(f"action {claim['action_id']!r} is claimed but missing")
                return existing, tried and existing.id == record.id
            tried = True
            try:
                ddb.transact_write(self._client, self._action_ops(record))
            except TransactionCancelled as cancelled:
                claimed, *rest = [*cancelled.reasons, "None"]
                if claimed != "ConditionalCheckFailed" and rest[:1] == ["ConditionalCheckFailed"]:
                    raise ValueError(f"action id {record.id!r} is already taken") from cancelled
                pause(attempt, cancelled.reasons)
                continue
            return record, True
        raise StoreContention(f"beginning action {record.id!r} kept losing races")

    def _action_ops(self, record: ActionRecord) -> list[TransactWriteItemTypeDef]:
        taken = "attribute_not_exists(pk)"
        sk = key("ACTION", order(record.requested_at), record.id)
        indexes = [key("TARGET", record.account_id, record.target), key("ACTIONS")]
        if record.incident_id:
            indexes.append(key("INC", record.incident_id))
        if record.parent_id:
            indexes.append(key("PARENT", record.parent_id))
        claim = {**idempotency_key(record.idempotency_key), "action_id": record.id}
        return [
            ddb.put_op(self._table, claim, condition=taken),
            ddb.put_op(self._table, self._action_item(record), condition=taken),
            *(
                ddb.put_op(self._table, {"pk": pk, "sk": sk, "action_id": record.id})
                for pk in indexes
            ),
        ]

    @staticmethod
    def _action_item(record: ActionRecord) -> Plain:
        return {
            **action_key(record.id),
            "state": record.state.value,
            "idempotency_key": record.idempotency_key,
            "data": stored_json(record),
        }

    def save_action(self, record: ActionRecord) -> None:
        """Update in place; an unknown id writes nothing, as SQLite's UPDATE does."""
        self._write_action(record, "attribute_exists(pk)", {}, "")

    def swap_action(self, record: ActionRecord, expected: ActionState) -> bool:
        """Compare-and-swap on the state, with this call's token written beside it.

        When the condition fails, the token tells a lost race from this call's own write
        whose answer was lost and whose retry then found the state already changed.
        """
        writer = secrets.token_hex(8)
        expecting = {":expected": expected.value}
        if self._write_action(record, "#state = :expected", expecting, writer):
            return True
        stored = self._get(action_key(record.id))
        return stored is not None and stored.get("writer") == writer

    def _write_action(
        self, record: ActionRecord, condition: str, extra: Plain, writer: str
    ) -> bool:
        names = {"#data": "data", "#state": "state", "#writer": "writer"}
        values = {
            ":data": stored_json(record),
            ":state": record.state.value,
            ":writer": writer,
            **extra,
        }
        written = ddb.update_item(
            self._client,
            self._table,
            action_key(record.id),
            "SET #data = :data, #state = :state, #writer = :writer",
            condition=condition,
            names=names,
            values=values,
        )
        return written is not None

    def get_action(self, action_id: str) -> ActionRecord | None:
        item = self._get(action_key(action_id))
        return action_from(item) if item is not None else None

    def actions_for(self, incident_id: str) -> list[ActionRecord]:
        if not incident_id:
            return []
        return self._indexed(key("INC", incident_id), lambda r: r.incident_id == incident_id)

    def actions_for_target(self, account_id: str, target: str) -> list[ActionRecord]:
        return self._indexed(
            key("TARGET", account_id, target),
            lambda r: (r.account_id, r.target) == (account_id, target),
        )

    def requested_actions(self) -> list[ActionRecord]:
        return self._indexed(key("ACTIONS"), lambda r: r.state is ActionState.REQUESTED)

    def child_actions(self, parent_id: str) -> list[ActionRecord]:
        if not parent_id:
            return []
        return self._indexed(key("PARENT", parent_id), lambda r: r.parent_id == parent_id)

    def _indexed(self, pk: str, still: Callable[[ActionRecord], bool]) -> list[ActionRecord]:
        """Index order, current records: the index is written once, the record after each run."""
        ids = [
            i["action_id"] for i in ddb.query(self._client, self._table, pk, sk_prefix="ACTION#")
        ]
        items = ddb.batch_get(self._client, self._table, [action_key(i) for i in ids])
        found = {r.id: r for r in map(action_from, items)}
        return [found[i] for i in ids if i in found and still(found[i])]

    # Counters.

    def acquire_lease(self, name: str, owner: str, seconds: float) -> bool:
        """A conditional put: free, expired, or already ours; DynamoDB settles racing owners.

        Refused, the holder is read: one gone from this host (holder_gone) is taken over,
        conditionally on still being the holder.
        """
        now = time.time()
        lease = {"pk": f"LEASE#{part(name)}", "sk": "LEASE"}
        item = {**lease, "owner": owner, "expires": now + seconds}
        if ddb.put_item(
            self._client,
            self._table,
            item,
            condition="attribute_not_exists(pk) OR #expires < :now OR #owner = :owner",
            names={"#expires": "expires", "#owner": "owner"},
            values={":now": now, ":owner": owner},
        ):
            return True
        held = self._get(lease)
        if held is None or not holder_gone(str(held["owner"])):
            return False
        return ddb.put_item(
            self._client,
            self._table,
            item,
            condition="#owner = :gone",
            names={"#owner": "owner"},
            values={":gone": held["owner"]},
        )

    def release_lease(self, name: str, owner: str) -> None:
        ddb.delete_item(
            self._client,
            self._table,
            {"pk": f"LEASE#{part(name)}", "sk": "LEASE"},
            condition="#owner = :owner",
            names={"#owner": "owner"},
            values={":owner": owner},
        )

    def bump(self, counter: str, by: int = 1) -> int:
        item = ddb.update_item(
            self._client,
            self._table,
            {"pk": COUNTER, "sk": part(counter)},
            "SET #name = :name ADD #value :by",
            names={"#name": "name", "#value": "value"},
            values={":name": counter, ":by": by},
        )
        assert item is not None  # no condition, so always written
        return int(item["value"])

    def counters(self) -> dict[str, int]:
        items = ddb.query(self._client, self._table, COUNTER)
        return {str(item["name"]): int(item["value"]) for item in items}

    def close(self) -> None:
        """Close the HTTP pool of a client we built; an injected one belongs to its caller."""
        if self._owns_client:
            self._client.close()

    # Watches.

    def save_watch(self, watch: Watch) -> None:
        item = {"pk": key("WATCH", watch.id), "sk": "WATCH", "data": stored_json(watch)}
        ddb.put_item(self._client, self._table, item)
        pointer = {"pk": WATCHES, "sk": part(watch.id)}
        if watch.ended:
            ddb.delete_item(self._client, self._table, pointer)
        else:
            ddb.put_item(self._client, self._table, pointer | {"watch_id": watch.id})

    def get_watch(self, watch_id: str) -> Watch | None:
        item = self._get({"pk": key("WATCH", watch_id), "sk": "WATCH"})
        return Watch.model_validate_json(str(item["data"])) if item is not None else None

    def active_watches(self) -> list[Watch]:
        ids = [str(i["watch_id"]) for i in ddb.query(self._client, self._table, WATCHES)]
        wanted = [{"pk": key("WATCH", i), "sk": "WATCH"} for i in ids]
        found = [
            Watch.model_validate_json(str(i["data"]))
            for i in ddb.batch_get(self._client, self._table, wanted)
        ]
        return sorted((w for w in found if not w.ended), key=lambda w: (w.cutoff, w.id))

    def mark_posting(self, dedup_key: str, since: float) -> None:
        """On the alert's unposted pointer, only while it is there (not yet posted)."""
        ddb.update_item(
            self._client,
            self._table,
            {"pk": UNPOSTED, "sk": part(dedup_key)},
            "SET #since = :since, #key = :key",
            names={"#since": "posting_since", "#key": "dedup_key"},
            values={":since": since, ":key": dedup_key},
            condition="attribute_exists(pk)",
        )

    def posting_alerts(self) -> dict[str, float]:
        pointers = ddb.query(self._client, self._table, UNPOSTED)
        return {
            str(p["dedup_key"]): float(p["posting_since"])
            for p in pointers
            if float(p.get("posting_since", 0)) > 0
        }

    def _get(self, item_key: Plain) -> Plain | None:
        return ddb.get_item(self._client, self._table, item_key)

    def _commit(self, ops: list[TransactWriteItemTypeDef]) -> None:
        """Write unconditional ops, going again when another writer's transaction was in the way."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                ddb.transact_write(self._client, ops)
            except TransactionCancelled as cancelled:
                pause(attempt, cancelled.reasons)
                continue
            return
        raise StoreContention("a write kept conflicting with other writers")
