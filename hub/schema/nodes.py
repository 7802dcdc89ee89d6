"""``node(id:)`` and ``nodes(ids:)``: any object by its global ID, through the DataLoaders.

Unknown types or keys, and articles the viewer may not read, are ``null``; IDs that are not
IDs of this API are ``INVALID_INPUT`` errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.types import Info

from hub.context import Context, Loaders
from hub.db.sources import TYPES
from hub.resolvers import global_id
from hub.schema.agency import Agency
from hub.schema.article import Article
from hub.schema.compiled import look_up
from hub.schema.event import Event
from hub.schema.node import Node
from hub.schema.person import Person
from hub.schema.projection import Completed
from hub.schema.region import Region
from hub.schema.taxonomy import AgencyType, Election, ElectionStage, Tag

# type name -> (loader, integer key?, conversion of the row)
NodeKind = tuple[Callable[[Loaders], DataLoader[Any, Any]], bool, Callable[[Any], Node]]
NODE_KINDS: dict[str, NodeKind] = {
    "Region": (lambda loaders: loaders.region_by_code, False, Region.from_row),
    "Agency": (lambda loaders: loaders.agency_by_id, True, Agency.from_row),
    "AgencyType": (lambda loaders: loaders.agency_type_by_code, False, AgencyType.from_row),
    "Event": (lambda loaders: loaders.event_by_id, True, Event.from_row),
    "Person": (lambda loaders: loaders.person_by_id, True, Person.from_row),
    "Article": (lambda loaders: loaders.article_by_id, True, Article.from_row),
    "Election": (lambda loaders: loaders.election_by_code, False, Election.from_row),
    "ElectionStage": (lambda loaders: loaders.stage_by_code, False, ElectionStage.from_row),
    "Tag": (lambda loaders: loaders.tag_by_id, True, Tag.from_row),
}


async def compiled_node(info: Info[Context, None], value: str) -> Completed | None:
    """``node(id:)`` from one statement where the type's selection compiles (else ``None``);
    a malformed ID fails here as it does on the general path."""
    type_name, key = global_id.decode(value, argument="id")
    declared = TYPES.get(type_name)
    kind = NODE_KINDS.get(type_name)
    if declared is None or kind is None:
        return None
    key_column = declared.columns()["id"].name
    typed_key: Any = global_id.decode_int(key) if kind[1] else key
    if typed_key is None:
        return Completed(None)
    return await look_up(info, type_name, key_column, typed_key)


def node_loader(info: Info[Context, None], value: str, argument: str) -> Awaitable[Node | None]:
    """Decode now (so a malformed ID fails the field), load later (so look-ups batch)."""
    type_name, key = global_id.decode(value, argument=argument)
    kind = NODE_KINDS.get(type_name)
    if kind is None:
        return _none()
    loader, integer_key, convert = kind
    typed_key: Any = global_id.decode_int(key) if integer_key else key
    if typed_key is None:
        return _none()
    return _load(loader(info.context.loaders), typed_key, convert)


async def _none() -> None:
    return None


async def _load(
    loader: DataLoader[Any, Any], key: Any, convert: Callable[[Any], Node]
) -> Node | None:
    row = await loader.load(key)
    return convert(row) if row is not None else None
