"""Article mutations: drafts, the workflow actions, views. Inputs name articles by slug."""

from __future__ import annotations

import strawberry
from strawberry import Maybe
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.resolvers import article_write as resolvers
from hub.resolvers.article_write import QuotedPerson
from hub.schema.article import Article
from hub.schema.enums import ArticleCategory, Language, PersonMention
from hub.schema.inputs import HTML, PROSE
from hub.schema.payloads import (
    UserError,
    all_fields,
    attempt,
    given_fields,
    unchanged_on_null,
)
from hub.workflow import Action


@strawberry.input(description="A person quoted or mentioned in an article.")
class QuotedPersonInput:
    person_slug: str
    kind: PersonMention = PersonMention.QUOTED
    quote: str | None = strawberry.field(
        default=None, description="Required when QUOTED.", directives=[PROSE]
    )

    def to_domain(self) -> QuotedPerson:
        return QuotedPerson(person_slug=self.person_slug, kind=self.kind, quote=self.quote)


@strawberry.input(description="What an article says and covers (the fields every new one takes).")
class ArticleContentInput:
    agency_slug: str = strawberry.field(description="The agency publishing the article.")
    title: str
    body: str = strawberry.field(
        description="HTML; sanitised (scripts and handlers removed).", directives=[HTML]
    )
    slug: str | None = strawberry.field(default=None, description="Default: from the title.")
    summary: str | None = strawberry.field(default=None, directives=[PROSE])
    byline: str | None = None
    category: ArticleCategory = ArticleCategory.NEWS
    language: Language = Language.INDONESIAN
    event_slug: str | None = None
    region_codes: list[str] = strawberry.field(default_factory=list)
    tag_slugs: list[str] = strawberry.field(default_factory=list)
    stage_codes: list[str] = strawberry.field(default_factory=list)
    quoted_people: list[QuotedPersonInput] = strawberry.field(default_factory=list)


@strawberry.input(description="A new draft article of an agency.")
class CreateArticleInput(ArticleContentInput):
    canonical_url: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retrying with the same key returns the first result."
    )


@strawberry.input(description="Changes to a draft; fields left out stay as they are.")
class UpdateArticleInput:
    slug: str
    version: int = strawberry.field(description="The version the changes were made to.")
    title: Maybe[str | None] = unchanged_on_null()
    body: Maybe[str | None] = unchanged_on_null(directives=[HTML])
    summary: Maybe[str | None] = strawberry.field(directives=[PROSE])
    byline: Maybe[str | None]
    category: Maybe[ArticleCategory | None] = unchanged_on_null()
    language: Maybe[Language | None] = unchanged_on_null()
    canonical_url: Maybe[str | None]
    event_slug: Maybe[str | None]
    region_codes: Maybe[list[str] | None] = unchanged_on_null()
    tag_slugs: Maybe[list[str] | None] = unchanged_on_null()
    stage_codes: Maybe[list[str] | None] = unchanged_on_null()
    quoted_people: Maybe[list[QuotedPersonInput] | None] = unchanged_on_null()


@strawberry.input(description="An article and the version the action was decided on.")
class ArticleActionInput:
    slug: str
    version: int


@strawberry.input(description="An article, its version and the reason for the action.")
class ArticleReasonInput:
    slug: str
    version: int
    reason: str = strawberry.field(directives=[PROSE])


@strawberry.input(description="A correction of a published article, with its public note.")
class CorrectArticleInput:
    slug: str
    version: int
    note: str = strawberry.field(
        description="Public correction note shown with the article.", directives=[PROSE]
    )
    title: Maybe[str | None] = unchanged_on_null()
    body: Maybe[str | None] = unchanged_on_null(directives=[HTML])
    summary: Maybe[str | None] = strawberry.field(directives=[PROSE])
    byline: Maybe[str | None]
    category: Maybe[ArticleCategory | None] = unchanged_on_null()
    canonical_url: Maybe[str | None]
    event_slug: Maybe[str | None]
    region_codes: Maybe[list[str] | None] = unchanged_on_null()
    tag_slugs: Maybe[list[str] | None] = unchanged_on_null()
    stage_codes: Maybe[list[str] | None] = unchanged_on_null()
    quoted_people: Maybe[list[QuotedPersonInput] | None] = unchanged_on_null()


@strawberry.input
class RecordArticleViewInput:
    slug: str


@strawberry.type
class ArticlePayload:
    article: Article | None
    errors: list[UserError]


@strawberry.type
class DeleteArticlePayload:
    deleted_slug: str | None
    errors: list[UserError]


@strawberry.type
class RecordArticleViewPayload:
    view_count: int | None
    errors: list[UserError]


def with_people(fields: dict[str, object]) -> dict[str, object]:
    people = fields.get("quoted_people")
    if isinstance(people, list):
        fields["quoted_people"] = [entry.to_domain() for entry in people]
    return fields


def _article_payload(row: models.Article | None, errors: list[UserError]) -> ArticlePayload:
    return ArticlePayload(article=Article.from_row(row) if row else None, errors=errors)


async def _act(
    info: Info[Context, None],
    action: Action,
    slug: str,
    version: int,
    reason: str | None = None,
    corrections: dict[str, object] | None = None,
) -> ArticlePayload:
    return _article_payload(
        *await attempt(
            resolvers.act_on_article(
                info.context,
                action=action,
                slug=slug,
                version=version,
                reason=reason,
                corrections=corrections,
            )
        )
    )


@strawberry.type
class ArticleMutation:
    @strawberry.mutation(description="Write a new draft for an agency (contributor or above).")
    async def create_article(
        self, info: Info[Context, None], input: CreateArticleInput
    ) -> ArticlePayload:
        fields = with_people(all_fields(input, skip=("agency_slug", "idempotency_key")))
        return _article_payload(
            *await attempt(
                resolvers.create_article(
                    info.context,
                    agency_slug=input.agency_slug,
                    fields=fields,
                    idempotency_key=input.idempotency_key,
                )
            )
        )

    @strawberry.mutation(description="Edit a draft.")
    async def update_article(
        self, info: Info[Context, None], input: UpdateArticleInput
    ) -> ArticlePayload:
        changes = with_people(given_fields(input, skip=("slug", "version")))
        return _article_payload(
            *await attempt(
                resolvers.update_article(
                    info.context, slug=input.slug, version=input.version, changes=changes
                )
            )
        )

    @strawberry.mutation(description="Delete a draft or rejected article.")
    async def delete_article(
        self, info: Info[Context, None], input: ArticleActionInput
    ) -> DeleteArticlePayload:
        slug, errors = await attempt(
            resolvers.delete_article(info.context, slug=input.slug, version=input.version)
        )
        return DeleteArticlePayload(deleted_slug=slug, errors=errors)

    @strawberry.mutation(description="Send a draft for review.")
    async def submit_article(
        self, info: Info[Context, None], input: ArticleActionInput
    ) -> ArticlePayload:
        return await _act(info, Action.SUBMIT, input.slug, input.version)

    @strawberry.mutation(description="Publish a submitted article (not one's own).")
    async def approve_article(
        self, info: Info[Context, None], input: ArticleActionInput
    ) -> ArticlePayload:
        return await _act(info, Action.APPROVE, input.slug, input.version)

    @strawberry.mutation(description="Send a submission back, with a reason for its authors.")
    async def reject_article(
        self, info: Info[Context, None], input: ArticleReasonInput
    ) -> ArticlePayload:
        return await _act(info, Action.REJECT, input.slug, input.version, input.reason)

    @strawberry.mutation(description="Turn a rejected article back into a draft.")
    async def reopen_article(
        self, info: Info[Context, None], input: ArticleActionInput
    ) -> ArticlePayload:
        return await _act(info, Action.REOPEN, input.slug, input.version)

    @strawberry.mutation(description="Withdraw a published article; it stays visible as retracted.")
    async def retract_article(
        self, info: Info[Context, None], input: ArticleReasonInput
    ) -> ArticlePayload:
        return await _act(info, Action.RETRACT, input.slug, input.version, input.reason)

    @strawberry.mutation(description="Publish a corrected version with a public note.")
    async def correct_article(
        self, info: Info[Context, None], input: CorrectArticleInput
    ) -> ArticlePayload:
        corrections = with_people(given_fields(input, skip=("slug", "version", "note")))
        return await _act(info, Action.CORRECT, input.slug, input.version, input.note, corrections)

    @strawberry.mutation(description="Count one read of a published article.")
    async def record_article_view(
        self, info: Info[Context, None], input: RecordArticleViewInput
    ) -> RecordArticleViewPayload:
        count, errors = await attempt(resolvers.record_view(info.context, slug=input.slug))
        return RecordArticleViewPayload(view_count=count, errors=errors)
