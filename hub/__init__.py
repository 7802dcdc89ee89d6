"""Hub: the GraphQL API of a multi-agency government information hub."""

__version__ = "0.1.0"
