"""GraphQL ``Election``, ``ElectionStage``, ``Tag`` and ``AgencyType``: the labels things are
filed under."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.resolvers import global_id
from hub.schema.nested import article_list
from hub.schema.node import Node


@strawberry.type(
    description="An election whose calendar articles are filed under: the 2024 general "
    "election (Pemilu) or the 2024 simultaneous regional elections (Pilkada)."
)
class Election(Node):
    code: str = strawberry.field(description="Stable code, e.g. `pilkada_2024`.")
    name: str = strawberry.field(description="Indonesian name.")
    name_en: str = strawberry.field(description="English name.")
    voting_day: date = strawberry.field(description="Day of the vote.")
    legal_basis: str = strawberry.field(description="The laws and regulations that set it.")

    @classmethod
    def from_row(cls, row: models.Election) -> Election:
        return cls(
            id=strawberry.ID(global_id.encode("Election", row.code)),
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            voting_day=row.voting_day,
            legal_basis=row.legal_basis,
        )


@strawberry.type(
    description="A stage of an election's calendar (PKPU 3/2022 for the general election, "
    "PKPU 2/2024 for the regional elections)."
)
class ElectionStage(Node):
    code: str = strawberry.field(
        description="Stable code, e.g. `kampanye` (general election), `pilkada_kampanye`."
    )
    name: str = strawberry.field(description="Indonesian name.")
    name_en: str = strawberry.field(description="English name.")
    starts_on: date | None = strawberry.field(description="First day; null when not fixed.")
    ends_on: date | None = strawberry.field(description="Last day; null when not fixed.")
    ordinal: int = strawberry.field(
        description="Position in the calendars: the general election's stages, then the "
        "regional elections', each in its regulation's order."
    )
    legal_basis: str = strawberry.field(description="Where the stage and its dates are set.")
    election_code: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: models.ElectionStage) -> ElectionStage:
        return cls(
            id=strawberry.ID(global_id.encode("ElectionStage", row.code)),
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            ordinal=row.ordinal,
            legal_basis=row.legal_basis,
            election_code=row.election_code,
        )

    @strawberry.field(description="The election the stage belongs to.")
    async def election(self, info: Info[Context, None]) -> Election:
        row = await info.context.loaders.election_by_code.load(self.election_code)
        assert row is not None  # enforced by a foreign key
        return Election.from_row(row)

    articles = article_list(
        "stage.articles",
        lambda stage: stage.code,
        "Published articles about this stage.",
    )


@strawberry.type(description="A free-form label.")
class Tag(Node):
    key: strawberry.Private[int]
    slug: str = strawberry.field(description="Unique, URL-friendly label.")
    label: str = strawberry.field(description="Label as displayed.")

    @classmethod
    def from_row(cls, row: models.Tag) -> Tag:
        return cls(
            id=strawberry.ID(global_id.encode("Tag", row.id)),
            key=row.id,
            slug=row.slug,
            label=row.label,
        )

    articles = article_list(
        "tag.articles",
        lambda tag: tag.key,
        "Published articles with this label.",
    )


@strawberry.type(description="A kind of agency in the Bakohumas network.")
class AgencyType(Node):
    code: str = strawberry.field(description="Stable code, e.g. `diskominfo_provinsi`.")
    name: str = strawberry.field(description="Indonesian name.")
    name_en: str = strawberry.field(description="English name.")
    description: str = strawberry.field(description="What agencies of this type do.")
    source: str | None = strawberry.field(
        description="Where the type is attested: forums its agencies took part in, the law "
        "that creates them."
    )
    version: int = strawberry.field(
        description="Edit counter; an update must send the version it saw."
    )

    @classmethod
    def from_row(cls, row: models.AgencyType) -> AgencyType:
        return cls(
            id=strawberry.ID(global_id.encode("AgencyType", row.code)),
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            description=row.description,
            source=row.source,
            version=row.version,
        )
