"""The root ``search`` result: articles, events, people and agencies in one ranked list."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from hub.resolvers.connections import Slice
from hub.resolvers.search import SearchMatch
from hub.schema.agency import Agency
from hub.schema.article import Article
from hub.schema.connection import PageInfo
from hub.schema.event import Event
from hub.schema.person import Person
from hub.schema.searched_for import SearchedFor

SearchResult = Annotated[
    Article | Event | Person | Agency,
    strawberry.union("SearchResult", description="Something the search found."),
]


@strawberry.enum(description="Kinds of things the search looks at.")
class SearchKind(Enum):
    ARTICLE = "article"
    EVENT = "event"
    PERSON = "person"
    AGENCY = "agency"


@strawberry.type(description="A search result with its relevance.")
class SearchEdge:
    cursor: str = strawberry.field(description="Opaque position in the results.")
    node: SearchResult = strawberry.field(description="The article, event, person or agency.")
    score: float = strawberry.field(description="Relevance (title or name matches score above 2).")


@strawberry.type(description="A page of search results, best first (Relay connection).")
class SearchConnection:
    edges: list[SearchEdge] = strawberry.field(description="The results.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    searched_for: SearchedFor = strawberry.field(description="How the query was understood.")
    slice: strawberry.Private[Slice[SearchMatch]]

    @strawberry.field(description="Number of results (one more query).")
    async def total_count(self) -> int:
        return await self.slice.count()
