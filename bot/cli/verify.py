"""`keycheck verify KEY`: does containment hold, every way in read from AWS, in a terminal."""

from __future__ import annotations

import argparse

from bot.domain.keys import TERMINAL_USAGE, parse_key_id
from bot.runtime.compose import aws_sessions, containment_check
from bot.runtime.settings import load_settings
from bot.slack.replies import verdict_line


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("verify", help="check that containment holds: every way in, read now")
    parser.add_argument("key", help="the AKIA… or ASIA… access key id")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when nothing is open, 1 when something is (or it could not be read)."""
    key_id = parse_key_id(args.key, usage=TERMINAL_USAGE)
    check = containment_check(aws_sessions(load_settings())).verify(key_id)
    if args.format == "json":
        print(check.model_dump_json(indent=2))
    else:
        print(verdict_line(check))
        for key, status in sorted(check.keys.items()):
            print(f"  key {key} {status}")
        if check.login_profile is not None:
            print(f"  console password {'set' if check.login_profile else 'none'}")
        print(f"  deny-all {'present' if check.deny_all else 'absent'}")
        print(f"  sessions revoked {'yes' if check.revoked else 'no'}")
        for session in check.sessions:
            state = "usable" if session.usable else "stopped"
            what = f"{session.access_key_id} ({session.via})"
            print(f"  minted session {what} {state}: {session.why}")
        if check.sessions_error:
            print(f"  minted sessions not read: {check.sessions_error}")
    return 0 if check.holds else 1
