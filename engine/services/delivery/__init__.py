"""Getting notifications out: the outbox (queued in the caller's unit of work), delivery bookkeeping for
the dispatcher, staff notices and their preferences, webhooks."""
