"""`keycheck watch KEY`: watch a contained key's trail from a terminal, into the same store.

The watch is the one `serve` and `worker` poll: started here, it goes on there after this
command stops, and a watch they already run is followed here rather than polled twice.
"""

from __future__ import annotations

import argparse
import threading

from bot.cli.terminal import cli_actor
from bot.domain.keys import TERMINAL_USAGE, parse_key_id
from bot.errors import KeycheckError
from bot.runtime.compose import aws_sessions, key_account, slack_client, store_of, watcher_of
from bot.runtime.settings import load_settings
from bot.slack.messenger import Messenger
from bot.slack.watch_blocks import watch_head, watch_lines


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("watch", help="watch a contained key's CloudTrail: denied, succeeded")
    parser.add_argument("key", help="the AKIA… or ASIA… access key id")
    parser.add_argument("--minutes", type=int, default=None, help="how long (default: settings)")
    parser.add_argument("--incident", default="", help="the incident whose thread it reports in")
    parser.add_argument(
        "--detach", action="store_true", help="only start it: serve or worker polls it"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start (or extend) the watch, then print what it sees at every poll until it ends."""
    key_id = parse_key_id(args.key, usage=TERMINAL_USAGE)
    if args.minutes is not None and not 1 <= args.minutes <= 24 * 60:
        raise KeycheckError("--minutes must be between 1 and 1440 (a day).")
    settings = load_settings()
    sessions = aws_sessions(settings)
    account_id = key_account(sessions, key_id)
    store = store_of(settings)
    watcher = watcher_of(settings, store, sessions, Messenger(slack_client(settings)))
    stopping = threading.Event()
    try:
        found = store.find_incident(account_id, key_id)
        incident = args.incident or (found.id if found else "")
        watch = watcher.start(
            key_id, account_id, incident_id=incident, minutes=args.minutes, started_by=cli_actor()
        )
        print(watch_head(watch, watch.cutoff) + f" (cut-off {watch.cutoff:%H:%M:%S} UTC)")
        if args.detach:
            print("Started: a running `keycheck serve` or `keycheck worker` polls it.")
            return 0
        while not stopping.is_set():
            ours = watcher.poll_one(watch.id)
            current = ours or store.get_watch(watch.id) or watch
            if ours is None:
                print("(another keycheck polls this watch; its latest reading:)")
            print("\n".join(f"  {line}" for line in watch_lines(current)))
            if current.ended:
                return 0
            stopping.wait(watcher.poll_seconds)
    except KeyboardInterrupt:
        print("Stopped following: the watch goes on in the store for serve or worker.")
    finally:
        watcher.close()
        store.close()
    return 0
