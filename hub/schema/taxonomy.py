"""GraphQL ``ElectionStage`` and ``Tag``: the labels articles are filed under."""

from __future__ import annotations

from datetime import date

import strawberry

from hub.db import models


@strawberry.type(description="A stage of the 2024 election calendar (PKPU 3/2022).")
class ElectionStage:
    code: str = strawberry.field(description="Stable code, e.g. `kampanye`.")
    name: str = strawberry.field(description="Indonesian name.")
    name_en: str = strawberry.field(description="English name.")
    starts_on: date | None = strawberry.field(description="First day; null when not fixed.")
    ends_on: date | None = strawberry.field(description="Last day; null when not fixed.")
    ordinal: int = strawberry.field(description="Position in the regulation's schedule.")

    @classmethod
    def from_row(cls, row: models.ElectionStage) -> ElectionStage:
        return cls(
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            ordinal=row.ordinal,
        )


@strawberry.type(description="A free-form label.")
class Tag:
    slug: str = strawberry.field(description="Unique, URL-friendly label.")
    label: str = strawberry.field(description="Label as displayed.")

    @classmethod
    def from_row(cls, row: models.Tag) -> Tag:
        return cls(slug=row.slug, label=row.label)
