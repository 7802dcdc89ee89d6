"""The Relay ``Node`` interface: every object with an opaque global ``id``."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a global ID (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID; see `node(id:)`.")
