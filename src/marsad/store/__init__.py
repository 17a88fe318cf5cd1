"""One database schema for SQLite and PostgreSQL."""
