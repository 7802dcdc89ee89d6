"""Plain async functions behind the GraphQL fields: checks, sessions, repositories.

They take the request context and return ORM rows or raise ``hub.errors`` exceptions;
they never import strawberry, so they are testable without GraphQL.
"""
