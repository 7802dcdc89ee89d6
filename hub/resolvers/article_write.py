"""Article writes: drafts (create, update, delete), workflow actions, views.

Every write runs one pipeline in one transaction: who is acting → find the target (locked;
``NOT_FOUND`` when the viewer may not see it, so drafts do not leak) → may they
(``FORBIDDEN``) → did they edit the current version (``CONFLICT``) → is the action legal from
the current status (``INVALID_TRANSITION``) → is the input valid (field errors) → write, log
the transition, append the outbox row. Any error rolls the whole transaction back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import Viewer, allows, can_read_article
from hub.db.models import Agency, Article, ElectionStage, Event, Person, Region, Tag
from hub.db.repositories import article_write as repository
from hub.db.repositories import clock, lookup, outbox
from hub.db.repositories.article_index import index_published_article
from hub.db.repositories.article_write import Mention
from hub.errors import ErrorCode, HubError, NotFound
from hub.resolvers import idempotency
from hub.resolvers.guard import check_version, require, require_principal
from hub.resolvers.html import sanitize_html, visible_text
from hub.resolvers.slugs import insert_with_slug
from hub.resolvers.validation import Checker, slugify
from hub.vocabulary import ArticleStatus, OutboxKind, PersonMention, TransitionKind
from hub.workflow import (
    FOUR_EYES_ACTIONS,
    TRANSITIONS,
    Action,
    Capability,
    Reason,
    ensure_deletable,
    ensure_editable,
    transition_for,
)

if TYPE_CHECKING:
    from hub.context import Context

MAX_TITLE = 300
MAX_SUMMARY = 1_000
MAX_BODY = 100_000
MAX_BYLINE = 200
MAX_SLUG = 200
MAX_REASON = 2_000
MAX_QUOTE = 2_000

OUTBOX_KINDS = {
    Action.SUBMIT: OutboxKind.ARTICLE_SUBMITTED,
    Action.APPROVE: OutboxKind.ARTICLE_APPROVED,
    Action.REJECT: OutboxKind.ARTICLE_REJECTED,
    Action.RETRACT: OutboxKind.ARTICLE_RETRACTED,
    Action.CORRECT: OutboxKind.ARTICLE_CORRECTED,
}
"""Actions whose result others stream (published changes, and the review queue)."""
INDEXED_ACTIONS = frozenset({Action.APPROVE, Action.CORRECT})
"""Actions that publish a text: its words, signature and related coverage are derived anew."""


@dataclass(frozen=True)
class QuotedPerson:
    person_slug: str
    kind: PersonMention
    quote: str | None = None


@dataclass
class CleanArticle:
    columns: dict[str, Any] = field(default_factory=dict)
    region_codes: list[str] | None = None
    tag_ids: list[int] | None = None
    stage_codes: list[str] | None = None
    mentions: list[Mention] | None = None


async def find_article(session: AsyncSession, viewer: Viewer, slug: str) -> Article:
    """The article to act on, locked; ``NOT_FOUND`` also when the viewer may not read it."""
    article = await repository.lock_by_slug(session, slug=slug)
    if article is None or not can_read_article(
        viewer, ArticleStatus(article.status), article.source_agency_id
    ):
        raise NotFound(f"no article `{slug}`", field="slug")
    return article


async def find_agency(session: AsyncSession, slug: str, *, field: str) -> Agency:
    agency = await lookup.by_key(session, Agency, Agency.slug, slug)
    if agency is None:
        raise NotFound(f"no agency `{slug}`", field=field)
    return agency


async def create_article(
    ctx: Context, *, agency_slug: str, fields: Mapping[str, Any], idempotency_key: str | None
) -> Article:
    viewer = require_principal(ctx)
    async with ctx.sessions() as session, session.begin():
        agency = await find_agency(session, agency_slug, field="agencySlug")
        require(
            allows(viewer, Capability.WRITE_DRAFTS, agency.id),
            f"you may not write articles for {agency.slug}",
        )
        claim, earlier = await idempotency.claim_or_replay(
            session,
            viewer=viewer,
            operation="createArticle",
            key=idempotency_key,
            request={"agency": agency_slug, **fields},
            model=Article,
        )
        if earlier is not None:
            return earlier
        clean = await clean_article(session, fields, creating=True)
        slug = clean.columns.pop("slug", None)
        article = Article(
            slug=slug,
            source_agency_id=agency.id,
            author_id=viewer.account_id,
            status=ArticleStatus.DRAFT.value,
            version=1,
            **clean.columns,
        )
        base = None if slug else slugify(clean.columns["title"], fallback="article")
        await insert_with_slug(session, article, Article.slug, base=base, noun="an article")
        await store_links(session, article.id, clean)
        await repository.log_transition(
            session,
            article=article,
            kind=TransitionKind.CREATED,
            from_status=None,
            viewer=viewer,
            reason=None,
        )
        await idempotency.complete(session, claim, article.id)
        return article


async def update_article(
    ctx: Context, *, slug: str, version: int, changes: Mapping[str, Any]
) -> Article:
    viewer = require_principal(ctx)
    async with ctx.sessions() as session, session.begin():
        article = await find_article(session, viewer, slug)
        require(
            allows(viewer, Capability.WRITE_DRAFTS, article.source_agency_id),
            "you may not edit this agency's articles",
        )
        check_version(article.version, version, "article")
        ensure_editable(ArticleStatus(article.status))
        clean = await clean_article(session, changes, creating=False)
        for name, value in clean.columns.items():
            setattr(article, name, value)
        await store_links(session, article.id, clean)
        article.version += 1
        await session.flush()
        return article


async def delete_article(ctx: Context, *, slug: str, version: int) -> str:
    viewer = require_principal(ctx)
    async with ctx.sessions() as session, session.begin():
        article = await find_article(session, viewer, slug)
        require(
            allows(viewer, Capability.WRITE_DRAFTS, article.source_agency_id),
            "you may not delete this agency's articles",
        )
        check_version(article.version, version, "article")
        ensure_deletable(ArticleStatus(article.status))
        await session.delete(article)
        return slug


async def act_on_article(
    ctx: Context,
    *,
    action: Action,
    slug: str,
    version: int,
    reason: str | None = None,
    corrections: Mapping[str, Any] | None = None,
) -> Article:
    """Move an article along the workflow (``hub.workflow.TRANSITIONS``)."""
    viewer = require_principal(ctx)
    async with ctx.sessions() as session, session.begin():
        article = await find_article(session, viewer, slug)
        status = ArticleStatus(article.status)
        require(
            allows(viewer, TRANSITIONS[action].capability, article.source_agency_id),
            f"you may not {action.value} this agency's articles",
        )
        check_version(article.version, version, "article")
        transition = transition_for(action, status)
        if action in FOUR_EYES_ACTIONS and viewer.account_id is not None:
            submitter = await repository.last_submitter(session, article_id=article.id)
            if viewer.account_id in (article.author_id, submitter):
                raise HubError(
                    f"you wrote or submitted this article; another editor must {action.value} it",
                    code=ErrorCode.OWN_ARTICLE,
                )
        check = Checker()
        cleaned_reason = None
        if transition.reason is not Reason.NONE:
            cleaned_reason = check.text("reason", reason, max_length=MAX_REASON, required=True)
        clean = (
            await clean_article(session, corrections, creating=False, check=check)
            if corrections is not None
            else CleanArticle()
        )
        check.done()
        # Where the article was listed, for readers of the outbox to tell the lists it leaves.
        before = await outbox.placement(session, article) if corrections is not None else None
        now = await clock.now(session)
        for name, value in clean.columns.items():
            setattr(article, name, value)
        await store_links(session, article.id, clean)
        article.status = transition.target.value
        if action is Action.SUBMIT:
            article.submitted_at = now
        elif action is Action.APPROVE:
            article.approved_at = now
            article.published_at = article.published_at or now
        elif action is Action.RETRACT:
            article.retracted_at = now
            article.retraction_reason = cleaned_reason
        elif action is Action.CORRECT:
            article.corrected_at = now
            article.correction_note = cleaned_reason
        article.version += 1
        await session.flush()
        await repository.log_transition(
            session,
            article=article,
            kind=transition.kind,
            from_status=status.value,
            viewer=viewer,
            reason=cleaned_reason,
        )
        if action in INDEXED_ACTIONS:
            await index_published_article(session, article_id=article.id)
        if (kind := OUTBOX_KINDS.get(action)) is not None:
            await outbox.record_article_change(session, article=article, kind=kind, before=before)
        return article


async def record_view(ctx: Context, *, slug: str) -> int:
    """Count one read of a published article; anyone who can see it may record one."""
    async with ctx.sessions() as session, session.begin():
        count = await repository.count_view(session, viewer=ctx.viewer, slug=slug)
        if count is not None:
            return count
        status = await repository.visible_status(session, viewer=ctx.viewer, slug=slug)
    if status is None:
        raise NotFound(f"no article `{slug}`", field="slug")
    raise HubError(
        f"views are counted for published articles; this one is {status}",
        field="slug",
        code=ErrorCode.NOT_PUBLISHED,
    )


async def clean_article(
    session: AsyncSession,
    fields: Mapping[str, Any],
    *,
    creating: bool,
    check: Checker | None = None,
) -> CleanArticle:
    """Check and resolve article input; raise every problem at once (``InputErrors``)."""
    check = check or Checker()
    clean = CleanArticle()
    columns = clean.columns
    if creating and fields.get("slug") is not None:
        slug = check.slug("slug", fields["slug"], max_length=MAX_SLUG)
        existing = await lookup.by_key(session, Article, Article.slug, slug) if slug else None
        if existing is not None:
            check.add("slug", f"an article `{slug}` already exists", ErrorCode.DUPLICATE)
        columns["slug"] = slug
    if creating or "title" in fields:
        columns["title"] = check.text(
            "title", fields.get("title"), min_length=3, max_length=MAX_TITLE, required=True
        )
    if "summary" in fields:
        columns["summary"] = check.text("summary", fields["summary"], max_length=MAX_SUMMARY)
    if creating or "body" in fields:
        columns["body"] = _clean_body(check, fields.get("body"))
    if "byline" in fields:
        columns["byline"] = check.text("byline", fields["byline"], max_length=MAX_BYLINE)
    for name in ("category", "language"):
        if fields.get(name) is not None:
            columns[name] = str(fields[name])
    if "canonical_url" in fields:
        columns["canonical_url"] = check.url("canonicalUrl", fields["canonical_url"])
    if "event_slug" in fields:
        columns["event_id"] = await _event_id(session, check, fields["event_slug"])
    if fields.get("region_codes") is not None:
        clean.region_codes = list(dict.fromkeys(fields["region_codes"]))
        found = await lookup.values_by_key(session, Region.code, Region.code, clean.region_codes)
        check.known("regionCodes", clean.region_codes, found, "region codes")
    if fields.get("stage_codes") is not None:
        clean.stage_codes = list(dict.fromkeys(fields["stage_codes"]))
        found = await lookup.values_by_key(
            session, ElectionStage.code, ElectionStage.code, clean.stage_codes
        )
        check.known("stageCodes", clean.stage_codes, found, "election stage codes")
    if fields.get("tag_slugs") is not None:
        slugs = list(dict.fromkeys(fields["tag_slugs"]))
        tags = await lookup.values_by_key(session, Tag.slug, Tag.id, slugs)
        check.known("tagSlugs", slugs, tags, "tags")
        clean.tag_ids = [tags[slug] for slug in slugs if slug in tags]
    if fields.get("quoted_people") is not None:
        clean.mentions = await _mentions(session, check, fields["quoted_people"])
    check.done()
    return clean


def _clean_body(check: Checker, body: str | None) -> str | None:
    if body is None or not visible_text(body):
        check.add("body", "`body` is required", ErrorCode.REQUIRED)
        return None
    cleaned = sanitize_html(body)
    if not visible_text(cleaned):
        check.add("body", "`body` has no text once disallowed HTML is removed", ErrorCode.REQUIRED)
    elif len(cleaned) > MAX_BODY:
        check.add("body", f"`body` must have at most {MAX_BODY} characters", ErrorCode.TOO_LONG)
    return cleaned


async def _event_id(session: AsyncSession, check: Checker, slug: str | None) -> int | None:
    if slug is None:
        return None
    event_id: int | None = (await lookup.values_by_key(session, Event.slug, Event.id, [slug])).get(
        slug
    )
    if event_id is None:
        check.add("eventSlug", f"unknown event: `{slug}`", ErrorCode.UNKNOWN_REFERENCE)
    return event_id


async def _mentions(
    session: AsyncSession, check: Checker, quoted: list[QuotedPerson]
) -> list[Mention]:
    people = await lookup.values_by_key(
        session, Person.slug, Person.id, [entry.person_slug for entry in quoted]
    )
    mentions: list[Mention] = []
    seen: set[str] = set()
    for index, entry in enumerate(quoted):
        path = f"quotedPeople.{index}"
        quote = check.text(f"{path}.quote", entry.quote, max_length=MAX_QUOTE)
        if entry.person_slug not in people:
            check.add(
                f"{path}.personSlug",
                f"unknown person: `{entry.person_slug}`",
                ErrorCode.UNKNOWN_REFERENCE,
            )
        elif entry.person_slug in seen:
            check.add(
                f"{path}.personSlug",
                f"`{entry.person_slug}` is listed more than once",
                ErrorCode.DUPLICATE,
            )
        if entry.kind is PersonMention.QUOTED and quote is None:
            check.add(f"{path}.quote", "a quoted person needs the quote", ErrorCode.REQUIRED)
        if entry.kind is PersonMention.MENTIONED and quote is not None:
            check.add(
                f"{path}.quote",
                "only a quoted person has a quote; use kind QUOTED",
                ErrorCode.INVALID_INPUT,
            )
        seen.add(entry.person_slug)
        if entry.person_slug in people:
            mentions.append(Mention(people[entry.person_slug], entry.kind.value, quote))
    return mentions


async def store_links(session: AsyncSession, article_id: int, clean: CleanArticle) -> None:
    if clean.region_codes is not None:
        await repository.replace_regions(session, article_id, clean.region_codes)
    if clean.tag_ids is not None:
        await repository.replace_tags(session, article_id, clean.tag_ids)
    if clean.stage_codes is not None:
        await repository.replace_stages(session, article_id, clean.stage_codes)
    if clean.mentions is not None:
        await repository.replace_people(session, article_id, clean.mentions)
