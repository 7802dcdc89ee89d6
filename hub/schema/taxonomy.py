"""GraphQL ``ElectionStage``, ``Tag`` and ``AgencyType``: the labels things are filed under."""

from __future__ import annotations

from datetime import date

import strawberry

from hub.db import models
from hub.resolvers import global_id
from hub.schema.nested import article_list
from hub.schema.node import Node


@strawberry.type(description="A stage of the 2024 election calendar (PKPU 3/2022).")
class ElectionStage(Node):
    code: str = strawberry.field(description="Stable code, e.g. `kampanye`.")
    name: str = strawberry.field(description="Indonesian name.")
    name_en: str = strawberry.field(description="English name.")
    starts_on: date | None = strawberry.field(description="First day; null when not fixed.")
    ends_on: date | None = strawberry.field(description="Last day; null when not fixed.")
    ordinal: int = strawberry.field(description="Position in the regulation's schedule.")

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
        )

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

    @classmethod
    def from_row(cls, row: models.AgencyType) -> AgencyType:
        return cls(
            id=strawberry.ID(global_id.encode("AgencyType", row.code)),
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            description=row.description,
        )
