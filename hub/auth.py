"""Who is asking: the viewer of a request and the policy predicates over it (pure functions).

A viewer is anonymous, an account (with a role per agency), or a partner agency's API key
(with scopes, acting for its own agency only). Roles are ranked: an admin may do what an
editor may, an editor what a contributor may. Platform admins administer every agency
(members, keys, profile) but take no editorial decisions and read no drafts unless they are
members. ``review_agency_ids`` are the regency/city agencies whose submissions the viewer may
review as an editor of their province's coordinating office (provincial review).

The SQL twin of ``can_read_article`` is ``hub.db.repositories.article.visible_to``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hub.vocabulary import ApiKeyScope, ArticleStatus, MemberRole
from hub.workflow import PUBLIC_STATUSES, REVIEW_STATUSES, Capability

ROLE_RANK = {MemberRole.CONTRIBUTOR: 1, MemberRole.EDITOR: 2, MemberRole.ADMIN: 3}

KEY_CAPABILITIES = {
    Capability.WRITE_DRAFTS: ApiKeyScope.SUBMIT_ARTICLES,
    Capability.MANAGE_EVENTS: ApiKeyScope.WRITE_EVENTS,
    Capability.IMPORT_ARTICLES: ApiKeyScope.IMPORT_ARTICLES,
}
"""The only capabilities an API key can hold, and the scope each needs."""

MEMBER_CAPABILITIES = {
    Capability.WRITE_DRAFTS: MemberRole.CONTRIBUTOR,
    Capability.REVIEW: MemberRole.EDITOR,
    Capability.EDIT_PUBLISHED: MemberRole.EDITOR,
    Capability.MANAGE_EVENTS: MemberRole.EDITOR,
    Capability.ADMINISTER: MemberRole.ADMIN,
    Capability.IMPORT_ARTICLES: MemberRole.EDITOR,
}
"""The least role within an agency that holds each capability there."""


@dataclass(frozen=True)
class Viewer:
    """The principal of a request: anonymous, an account, or a partner agency's API key."""

    account_id: int | None = None
    api_key_id: int | None = None
    api_key_agency_id: int | None = None
    session_id: str | None = None
    is_platform_admin: bool = False
    roles: Mapping[int, MemberRole] = field(default_factory=dict)  # agency id -> role
    scopes: frozenset[ApiKeyScope] = frozenset()
    review_agency_ids: frozenset[int] = frozenset()
    cost_budget: int | None = None  # an API key's own budget per operation (hub.schema.limits)

    @property
    def is_anonymous(self) -> bool:
        return self.account_id is None and self.api_key_id is None

    @property
    def principal(self) -> str:
        """A stable name of who is acting, e.g. ``account:7`` or ``api_key:3``."""
        if self.account_id is not None:
            return f"account:{self.account_id}"
        if self.api_key_id is not None:
            return f"api_key:{self.api_key_id}"
        return "anonymous"

    def has_role(self, agency_id: int, minimum: MemberRole) -> bool:
        role = self.roles.get(agency_id)
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]

    def has_scope(self, agency_id: int, scope: ApiKeyScope) -> bool:
        return self.api_key_agency_id == agency_id and scope in self.scopes

    @property
    def unpublished_agency_ids(self) -> frozenset[int]:
        """Agencies whose drafts, submissions and rejections the viewer may read."""
        agencies = set(self.roles)
        if self.api_key_agency_id is not None and self.scopes & {
            ApiKeyScope.READ_DRAFTS,
            ApiKeyScope.SUBMIT_ARTICLES,
        }:
            agencies.add(self.api_key_agency_id)
        return frozenset(agencies)


ANONYMOUS = Viewer()


def allows(viewer: Viewer, capability: Capability, agency_id: int) -> bool:
    """Whether ``viewer`` holds ``capability`` on the agency ``agency_id``."""
    if capability is Capability.ADMINISTER and viewer.is_platform_admin:
        return True
    if capability is Capability.REVIEW and agency_id in viewer.review_agency_ids:
        return True
    if viewer.has_role(agency_id, MEMBER_CAPABILITIES[capability]):
        return True
    scope = KEY_CAPABILITIES.get(capability)
    return scope is not None and viewer.has_scope(agency_id, scope)


def can_read_article(viewer: Viewer, status: ArticleStatus, agency_id: int) -> bool:
    if status in PUBLIC_STATUSES or agency_id in viewer.unpublished_agency_ids:
        return True
    return status in REVIEW_STATUSES and agency_id in viewer.review_agency_ids


def can_read_history(viewer: Viewer, agency_id: int) -> bool:
    """The workflow log (with rejection reasons) is internal to the agency and its reviewers."""
    return agency_id in viewer.unpublished_agency_ids or agency_id in viewer.review_agency_ids


def is_member_anywhere(viewer: Viewer) -> bool:
    return bool(viewer.roles)


def can_add_people(viewer: Viewer, agency_id: int | None = None) -> bool:
    """People are a shared directory: anyone with a role in some agency (or a key that manages
    events) may add a person of no agency; a person *of* an agency only that agency's members
    (any role) and its keys that manage events."""
    if agency_id is None:
        return is_member_anywhere(viewer) or ApiKeyScope.WRITE_EVENTS in viewer.scopes
    return viewer.has_role(agency_id, MemberRole.CONTRIBUTOR) or viewer.has_scope(
        agency_id, ApiKeyScope.WRITE_EVENTS
    )


def can_edit_person(viewer: Viewer, person_agency_id: int | None) -> bool:
    """Editors of the person's agency (and its keys that manage events); for people with no
    agency, editors of any agency."""
    if person_agency_id is not None:
        return allows(viewer, Capability.MANAGE_EVENTS, person_agency_id)
    return any(ROLE_RANK[role] >= ROLE_RANK[MemberRole.EDITOR] for role in viewer.roles.values())


def can_add_tags(viewer: Viewer) -> bool:
    return is_member_anywhere(viewer) or ApiKeyScope.SUBMIT_ARTICLES in viewer.scopes
