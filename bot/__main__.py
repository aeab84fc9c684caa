"""`python -m bot` is the `keycheck` command."""

from bot.cli import main

raise SystemExit(main())
