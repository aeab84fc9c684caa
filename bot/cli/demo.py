"""`keycheck demo`: the whole product, locally, on embedded stand-ins; no Slack, no AWS."""

from __future__ import annotations

import argparse
import sys


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("demo", help="run the seed incident end to end on local stand-ins")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from bot.standins.demo import run_demo
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("moto"):
            print(
                "keycheck demo needs the demo extra: pip install 'keycheck[demo]'", file=sys.stderr
            )
            return 2
        raise
    return run_demo(sys.stdout)
