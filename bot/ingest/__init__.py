"""Pipeline (a): an alert in, stored before anyone is told, then its card in Slack."""
