"""`python -m bot` is the `keycheck` command."""

from bot.cli.main import main

raise SystemExit(main())
