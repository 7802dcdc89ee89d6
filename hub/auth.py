"""Who is asking: the viewer of a request and the policy predicates over it (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.vocabulary import MemberRole


@dataclass(frozen=True)
class Viewer:
    """The principal of a request: anonymous, an account, or a partner agency's API key."""

    account_id: int | None = None
    api_key_id: int | None = None
    is_platform_admin: bool = False
    roles: dict[int, MemberRole] = field(default_factory=dict)  # agency id -> role
    scopes: frozenset[str] = frozenset()

    @property
    def is_anonymous(self) -> bool:
        return self.account_id is None and self.api_key_id is None


ANONYMOUS = Viewer()
