"""Pure rules every stage shares: key ids, policy documents, action ids, idempotency keys."""
