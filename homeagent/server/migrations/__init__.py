"""Alembic migrations of the server schema (run by `homeagent-server init`)."""
