"""The `keycheck` command: one module per subcommand, listed in `bot.cli.main`."""
