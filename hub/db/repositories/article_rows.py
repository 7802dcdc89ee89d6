"""A page of articles as plain rows, with their to-one and listed edges inlined.

The fast path of article lists (``hub/schema/projection.py``): when a query asks only for plain
data of articles and of their edges, one statement returns everything — the page as a CTE, then
to-one edges joined (columns ``agency__name``...) and listed edges aggregated to JSON arrays
for the page's rows at once (set-wise, not a subquery per row). The edges, their keys and
orders are those declared in ``hub/db/sources.py``. It uses the same conditions, visibility rule
and keyset pagination as the general path (``article.statement``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.auth import ANONYMOUS, Viewer
from hub.db import search
from hub.db.binds import INLINE, Binds, NamedBinds
from hub.db.keyset import Ordering, Page, PageRows, page_parameters, paginate
from hub.db.models import Article
from hub.db.repositories.article import ArticleOrder, ArticleQuery, where
from hub.db.sources import TYPES, Listed, ToOne

ARTICLE = TYPES["Article"]


@dataclass(frozen=True)
class ArticleNeeds:
    """Which columns a query needs: of articles, of the joined edges, of the listed edges."""

    article: frozenset[str]
    joined: tuple[tuple[str, frozenset[str]], ...] = ()  # (to-one field, target columns)
    lists: tuple[tuple[str, frozenset[str]], ...] = ()  # (listed field, target columns)
    highlight: bool = False


def _listed(name: str, columns: frozenset[str], page: Any) -> Any:
    """``(article_id, list)`` of the page's articles: JSON objects of the wanted columns."""
    listed = ARTICLE.fields[name]
    assert isinstance(listed, Listed)
    link, model = listed.link, TYPES[listed.target].model
    joined = getattr(model, TYPES[listed.target].key) == link.c[listed.target_key]
    order = getattr(model, listed.order)
    pairs: list[Any] = []
    for column in sorted(columns):
        pairs += [literal_column(f"'{column}'"), getattr(model, column)]
    return (
        select(
            link.c.article_id.label("article_id"),
            func.json_agg(aggregate_order_by(func.json_build_object(*pairs), order)).label("list"),
        )
        .select_from(link.join(model, joined))
        .where(link.c.article_id.in_(select(page.c.id)))
        .group_by(link.c.article_id)
        .cte(f"{name.lower()}_of")
    )


def statement(
    viewer: Viewer, query: ArticleQuery, needs: ArticleNeeds, page: Page, binds: Binds = INLINE
) -> Select[Any]:
    """The page first (a CTE, keyset-paginated), then its edges joined set-wise to its rows."""
    wanted = set(needs.article) | {"id"}
    to_one: list[tuple[str, ToOne, frozenset[str]]] = []
    for name, target_columns in needs.joined:
        edge = ARTICLE.fields[name]
        assert isinstance(edge, ToOne)
        wanted.add(edge.key)
        to_one.append((name, edge, target_columns))
    columns: list[Any] = [getattr(Article, name) for name in sorted(wanted)]
    score = query.score(binds) if query.words else literal_column("NULL")
    columns.append(score.label("score"))
    ordering = query.ordering(binds)
    rows = paginate(
        query.scoped(select(*columns).where(*where(viewer, query, binds)), binds),
        ordering,
        page,
        binds,
    ).cte("page")
    joined: Any = rows
    outer: list[Any] = [rows]
    for name, edge, target_columns in to_one:
        declared = TYPES[edge.target]
        target = aliased(declared.model, name=f"{name.lower()}_of")
        on = getattr(target, declared.key) == rows.c[edge.key]
        if edge.nullable:  # outer join: ``{name}__present`` tells a missing target
            joined = joined.outerjoin(target, on)
            outer.append(getattr(target, declared.key).label(f"{name}__present"))
        else:
            joined = joined.join(target, on)
        outer += [getattr(target, c).label(f"{name}__{c}") for c in sorted(target_columns)]
    if needs.highlight:  # null without search words; computed for the page's rows only
        if query.words:
            highlighted = aliased(Article, name="highlighted")
            joined = joined.join(highlighted, highlighted.id == rows.c.id)
            title = search.headline(highlighted.title, query.words, binds)
            snippet = search.headline(highlighted.body, query.words, binds)
        else:
            title = snippet = literal_column("NULL")
        outer += [title.label("highlight__title"), snippet.label("highlight__snippet")]
    for name, wanted_columns in needs.lists:
        listed = _listed(name, wanted_columns, rows)
        joined = joined.outerjoin(listed, listed.c.article_id == rows.c.id)
        outer.append(func.coalesce(listed.c.list, literal_column("'[]'::json")).label(name))
    descending = ordering.descending == page.forward
    order = [rows.c[f"sort_{index}"] for index in range(len(ordering.columns))]
    return (
        select(*outer)
        .select_from(joined)
        .order_by(*(column.desc() if descending else column.asc() for column in order))
    )


@dataclass(frozen=True)
class Prepared:
    """A statement compiled to SQL once: its text, parameter order and constant values."""

    sql: str
    names: tuple[str, ...]
    constants: dict[str, Any]

    @classmethod
    def compile(cls, built: Select[Any], values: dict[str, Any], dialect: Dialect) -> Prepared:
        state = built.compile(dialect=dialect).construct_expanded_state(values)
        constants = {k: v for k, v in state.parameters.items() if k not in values}
        return cls(state.statement, tuple(state.positiontup or ()), constants)

    def bakes(self, values: dict[str, Any]) -> bool:
        """Whether a string of this request is among the constants (then it is not shareable)."""
        given = {value for value in values.values() if isinstance(value, str)}
        return any(isinstance(value, str) and value in given for value in self.constants.values())

    def parameters(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            values[name] if name in values else self.constants[name] for name in self.names
        )


class StatementCache:
    """Compiled statements of the anonymous public's article pages, per shape (bounded).

    Building and compiling the statement costs more than running it; requests of the same
    shape (the same selection, filter fields, number of words, ordering and paging direction)
    share one, with their values as named parameters. Other viewers' statements are built per
    request, so the visibility rule may depend on anything about the viewer.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.statements: dict[tuple[Any, ...], Prepared] = {}

    def get(
        self, dialect: Dialect, viewer: Viewer, query: ArticleQuery, needs: ArticleNeeds, page: Page
    ) -> tuple[str, tuple[Any, ...]]:
        values = query.parameters() | page_parameters(page)
        tier_cursor = query.order is ArticleOrder.RELEVANCE and (page.after or page.before)
        if viewer is not ANONYMOUS or tier_cursor:  # built per request (the structure varies)
            binds = NamedBinds(generic_plan=query.generic_plan)
            prepared = Prepared.compile(
                statement(viewer, query, needs, page, binds), binds.values, dialect
            )
            return prepared.sql, prepared.parameters(binds.values)
        key = (
            needs,
            query.shape(),
            page.forward,
            page.after is None,
            page.before is None,
            page.limit,  # a constant of the text (see ``hub/db/binds.py``); sizes the tiers' pools
        )
        cached = self.statements.get(key)
        if cached is None:
            binds = NamedBinds(generic_plan=query.generic_plan)
            built = statement(viewer, query, needs, page, binds)
            if binds.values != values:  # the names of the two ways must agree
                raise AssertionError(f"parameters differ: {binds.values} != {values}")
            cached = Prepared.compile(built, values, dialect)
            if cached.bakes(values):  # a request value ended up as a constant: do not share
                return cached.sql, cached.parameters(values)
            if len(self.statements) >= self.size:
                self.statements.pop(next(iter(self.statements)))
            self.statements[key] = cached
        return cached.sql, cached.parameters(values)


STATEMENTS = StatementCache()


async def page_rows(
    session: AsyncSession,
    *,
    viewer: Viewer,
    query: ArticleQuery,
    ordering: Ordering,
    needs: ArticleNeeds,
    page: Page,
) -> PageRows[Any]:
    """The page's rows as mappings (article columns, ``agency__*``, ``event__*``, JSON lists);
    ``ordering`` is ``query.ordering()``, built once by the caller."""
    connection = await session.connection()
    sql, parameters = STATEMENTS.get(connection.dialect, viewer, query, needs, page)
    rows = (await connection.exec_driver_sql(sql, parameters)).all()
    return PageRows.build(rows, ordering, page, lambda row: row._mapping)
