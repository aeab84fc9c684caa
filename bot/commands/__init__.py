"""One module per `keycheck` subcommand; each has `add(subparsers)` and sets `func`."""
