"""Persistence: models, sessions, repositories, loaders, migrations helpers, embedded server."""
