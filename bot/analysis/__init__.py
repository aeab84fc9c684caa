"""Pure analysis over TimelineEvents: no I/O, so every rule is tested without a network."""
