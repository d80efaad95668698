"""SQLAlchemy models, the database connection and read queries. Never commits: services do."""
