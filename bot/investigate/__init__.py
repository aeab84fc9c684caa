"""The attacker's timeline: CloudTrail fetched across regions, Athena, log files, posted."""
