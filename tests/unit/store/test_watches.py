"""Watches live in the store: a restart or a replica finds each as its last poll left it."""

from __future__ import annotations

from datetime import timedelta

from bot.models import DeniedFrom, Watch
from bot.store import Store
from tests.unit.store.support import ACCOUNT, KEY, T0


def watch(key: str = KEY, **changes: object) -> Watch:
    fields: dict[str, object] = {
        "id": f"{ACCOUNT}:{key}",
        "access_key_id": key,
        "account_id": ACCOUNT,
        "cutoff": T0,
        "until": T0 + timedelta(minutes=30),
        "keys": [key],
        "regions": ["us-east-1", "eu-west-1"],
    }
    return Watch.model_validate(fields | changes)


def test_a_watch_reads_back_as_its_last_poll_saved_it(store: Store) -> None:
    store.save_watch(watch())
    polled = watch(
        ts="1700000000.000100",
        read_to=T0 + timedelta(minutes=5),
        denied=[DeniedFrom(source_ip="198.51.100.50", count=14, first=T0, last=T0)],
        seen={"e-1": T0},
    )
    store.save_watch(polled)

    assert store.get_watch(polled.id) == polled
    assert store.active_watches() == [polled]
    assert store.get_watch("nope") is None


def test_an_ended_watch_is_no_longer_polled_but_is_kept(store: Store) -> None:
    first = watch()
    later = watch("AKIAZXCVBNMLKJHGFDSA", cutoff=T0 + timedelta(minutes=1))
    store.save_watch(later)
    store.save_watch(first)
    assert [w.id for w in store.active_watches()] == [first.id, later.id]

    store.save_watch(first.model_copy(update={"ended": True}))

    assert [w.id for w in store.active_watches()] == [later.id]
    ended = store.get_watch(first.id)
    assert ended is not None and ended.ended
