"""The root ``Mutation`` (one class per domain noun, merged) and the root query fields of
the account side (``me``, agency members, API keys), merged into ``Query``."""

from __future__ import annotations

from strawberry.tools import merge_types

from hub.schema.account import AccountMutation, AccountQuery
from hub.schema.api_key import ApiKeyMutation, ApiKeyQuery
from hub.schema.article_import import ArticleImportMutation
from hub.schema.article_mutations import ArticleMutation
from hub.schema.directory_mutations import DirectoryMutation
from hub.schema.event_mutations import EventMutation
from hub.schema.membership import MembershipMutation, MembershipQuery

Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        ArticleMutation,
        ArticleImportMutation,
        EventMutation,
        DirectoryMutation,
        MembershipMutation,
        ApiKeyMutation,
    ),
)

ACCOUNT_QUERIES = (AccountQuery, MembershipQuery, ApiKeyQuery)
