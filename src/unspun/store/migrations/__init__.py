"""Alembic migrations shipped inside the package; store/migrate.py runs them on open."""
