"""Importing content already published elsewhere (``importArticle``, and ``hub import``).

An import is keyed by the agency and the article's canonical URL: the first import creates the
article — approved, with its original publication date — and importing the same URL again
updates that article (from any status but retracted), or writes nothing when the content is the
same (``UNCHANGED``). An import that writes logs an ``imported`` step in the history (who, when,
where from) and appends an outbox row in the same transaction: one the live streams deliver
(``article.imported``) only when the caller asks, otherwise one they skip
(``article.backfilled``), so that backfilling an archive does not flood subscribers while the
change log stays complete. Same pipeline as every write: who → may they → the target (locked)
→ legal transition → valid input (every problem at once) → write, log, outbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import Viewer, allows, can_add_tags
from hub.db.models import Article
from hub.db.repositories import account as accounts
from hub.db.repositories import article_import as repository
from hub.db.repositories import article_write, clock, outbox, taxonomy
from hub.db.repositories import import_checkpoint as checkpoints
from hub.db.repositories.article_import import Links
from hub.db.repositories.article_index import index_published_article
from hub.errors import ErrorCode, NotFound
from hub.resolvers.article_write import CleanArticle, clean_article, find_agency, store_links
from hub.resolvers.auth import account_viewer
from hub.resolvers.guard import require, require_principal
from hub.resolvers.slugs import insert_with_slug
from hub.resolvers.validation import Checker, canonical_url, slugify
from hub.vocabulary import ArticleStatus, ImportOutcome, OutboxKind
from hub.workflow import TRANSITIONS, Action, transition_for

if TYPE_CHECKING:
    from hub.context import Context

MAX_ORIGIN = 500
MAX_TAG_LABEL = 80
CLOCK_SKEW = timedelta(days=1)  # an original date later than this ahead of now is refused
TRANSITION = TRANSITIONS[Action.IMPORT]


@dataclass(frozen=True)
class Imported:
    article: Article
    outcome: ImportOutcome


@dataclass(frozen=True)
class Importer:
    """The agency a bulk import (``hub import``) writes for, checked for its importer."""

    agency_id: int
    agency_slug: str
    region_code: str | None


async def import_article(
    ctx: Context,
    *,
    agency_slug: str,
    canonical_url: str,
    published_at: datetime,
    fields: Mapping[str, Any],
    origin: str | None = None,
    stream: bool = False,
) -> Imported:
    """Create or update the agency's article at ``canonical_url`` (see the module)."""
    viewer = require_principal(ctx)
    async with ctx.sessions() as session, session.begin():
        agency = await find_agency(session, agency_slug, field="agencySlug")
        require(
            allows(viewer, TRANSITION.capability, agency.id),
            f"you may not import articles for {agency.slug}",
        )
        check = Checker()
        url = _url(check, canonical_url)
        now = await clock.now(session)
        _check_date(check, published_at, now)
        cleaned_origin = check.text("origin", origin, max_length=MAX_ORIGIN) or url
        featured = check.url("featuredImageUrl", fields.get("featured_image_url"))
        existing = None
        if url is not None:
            await repository.lock_canonical_url(session, agency_id=agency.id, url=url)
            existing = await repository.find_by_canonical_url(session, agency_id=agency.id, url=url)
        from_status = ArticleStatus(existing.status) if existing is not None else None
        if from_status is not None:
            transition_for(Action.IMPORT, from_status)
        content = {key: value for key, value in fields.items() if key != "featured_image_url"}
        content["canonical_url"] = url
        if existing is not None:
            content.pop("slug", None)  # an update keeps the article's address
        clean = await clean_article(session, content, creating=True, check=check)
        clean.columns |= {"published_at": published_at, "featured_image_url": featured}
        before = None  # where an updated article was listed (see record_article_change)
        if existing is None:
            article = await _insert(session, clean, agency_id=agency.id, author=viewer.account_id)
            article.approved_at = now
            outcome = ImportOutcome.CREATED
        elif from_status is ArticleStatus.APPROVED and await _same(session, existing, clean):
            return Imported(existing, ImportOutcome.UNCHANGED)
        else:
            article = existing
            before = await outbox.placement(session, article)
            for name, value in clean.columns.items():
                setattr(article, name, value)
            article.approved_at = article.approved_at or now
            article.version += 1
            outcome = ImportOutcome.UPDATED
        article.status = TRANSITION.target.value
        await session.flush()
        await store_links(session, article.id, clean)
        await article_write.log_transition(
            session,
            article=article,
            kind=TRANSITION.kind,
            from_status=from_status.value if from_status else None,
            viewer=viewer,
            reason=None,
            origin=cleaned_origin,
        )
        # Like an approval: its words, signature and related coverage (within a window around
        # its original publication date) are derived in the same transaction.
        await index_published_article(session, article_id=article.id)
        kind = OutboxKind.ARTICLE_IMPORTED if stream else OutboxKind.ARTICLE_BACKFILLED
        await outbox.record_article_change(session, article=article, kind=kind, before=before)
        return Imported(article, outcome)


def _url(check: Checker, value: str) -> str | None:
    """The canonical spelling of the URL; None (and the problem noted) when it is not one."""
    problems = len(check.errors)
    url = check.url("canonicalUrl", value)
    if url is None:
        check.add("canonicalUrl", "`canonicalUrl` is required", ErrorCode.REQUIRED)
        return None
    if len(check.errors) > problems:
        return None
    try:
        return canonical_url(url)
    except ValueError:  # e.g. a port that is not a number
        check.add("canonicalUrl", "`canonicalUrl` is not a valid URL", ErrorCode.INVALID_FORMAT)
        return None


def _check_date(check: Checker, published_at: datetime, now: datetime) -> None:
    if published_at.tzinfo is None:
        check.add(
            "publishedAt",
            "`publishedAt` needs a UTC offset (e.g. 2024-11-27T10:00:00+08:00)",
            ErrorCode.INVALID_FORMAT,
        )
    elif published_at > now + CLOCK_SKEW:
        check.add(
            "publishedAt",
            "`publishedAt` is in the future; an import keeps the original publication time",
            ErrorCode.INVALID_INPUT,
        )


async def _insert(
    session: AsyncSession, clean: CleanArticle, *, agency_id: int, author: int | None
) -> Article:
    slug = clean.columns.pop("slug", None)
    article = Article(
        slug=slug,
        source_agency_id=agency_id,
        author_id=author,
        status=TRANSITION.target.value,
        version=1,
        **clean.columns,
    )
    base = None if slug else slugify(clean.columns["title"], fallback="article")
    await insert_with_slug(session, article, Article.slug, base=base, noun="an article")
    return article


async def _same(session: AsyncSession, article: Article, clean: CleanArticle) -> bool:
    """Whether importing ``clean`` would change nothing of the (published) article."""
    if any(getattr(article, name) != value for name, value in clean.columns.items()):
        return False
    current = await repository.links(session, article_id=article.id)
    wanted = Links(
        region_codes=frozenset(clean.region_codes or ()),
        tag_ids=frozenset(clean.tag_ids or ()),
        stage_codes=frozenset(clean.stage_codes or ()),
        mentions=tuple(clean.mentions or ()),
    )
    return current == wanted


async def importer_viewer(ctx: Context, *, email: str) -> Viewer:
    """The viewer of an operator's bulk import: the account it is recorded under."""
    async with ctx.sessions() as session:
        account = await accounts.get_by_email(session, email=email)
        if account is None or not account.is_active:
            raise NotFound(f"no active account {email}", field="email")
        return await account_viewer(session, account, session_id=None)


async def importer(ctx: Context, *, agency_slug: str) -> Importer:
    """The agency of a bulk import, once the viewer is known to may import for it."""
    viewer = require_principal(ctx)
    async with ctx.sessions() as session:
        agency = await find_agency(session, agency_slug, field="agencySlug")
    require(
        allows(viewer, TRANSITION.capability, agency.id),
        f"you may not import articles for {agency.slug} (editors and admins of it may)",
    )
    return Importer(agency.id, agency.slug, agency.region_code)


async def ensure_tags(ctx: Context, labels: Sequence[str]) -> list[str]:
    """The slugs of tags with these labels, the missing ones created (for who may add tags)."""
    wanted = {
        slug: label.strip()[:MAX_TAG_LABEL]
        for label in labels
        if (slug := slugify(label, fallback=""))  # a label of no letters or digits names none
    }
    if wanted:
        viewer = require_principal(ctx)
        require(can_add_tags(viewer), "only agency members may add tags")
        async with ctx.sessions() as session, session.begin():
            await taxonomy.ensure_tags(session, wanted)
    return list(wanted)


async def saved_position(ctx: Context, *, source: str, agency_id: int) -> dict[str, Any] | None:
    async with ctx.sessions() as session:
        return await checkpoints.get(session, source=source, agency_id=agency_id)


async def save_position(
    ctx: Context, *, source: str, agency_id: int, position: dict[str, Any]
) -> None:
    async with ctx.sessions() as session, session.begin():
        await checkpoints.save(session, source=source, agency_id=agency_id, position=position)
