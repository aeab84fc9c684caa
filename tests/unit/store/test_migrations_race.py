"""Finding: the Procfile's web and worker starting on one new SQLite file raced the migrations."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO

PROCESSES = 4
ROUNDS = 4
# Each process imports first, then opens the store at one agreed moment.
OPEN_AT = """
import sys, time
from bot.store import SqliteStore
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
store = SqliteStore(sys.argv[1])
print(store.schema_version)
"""


def test_processes_starting_on_one_new_file_all_migrate_it(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        path = tmp_path / f"round{round_}.sqlite3"
        start = time.time() + 1.5
        command = [sys.executable, "-c", OPEN_AT, str(path), str(start)]
        processes = [
            subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(PROCESSES)
        ]
        results = [(p.wait(timeout=60), *p.communicate()) for p in processes]
        failures = [err.decode()[-300:] for code, _, err in results if code != 0]
        assert failures == [], f"round {round_}"
        assert len({out for _, out, _ in results}) == 1
