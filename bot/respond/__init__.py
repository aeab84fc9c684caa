"""Pipeline (b): an action asked for is authorized, confirmed, done once, audited, undoable."""
