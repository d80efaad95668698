"""Use cases. Each public function is one unit of work: it takes a session, an actor and ``now``,
checks permissions, changes rows and commits exactly once (or rolls back and raises)."""
