"""The article workflow as data: statuses, the actions between them, who may take each.

::

    draft ──submit──▶ submitted ──approve──▶ approved ──retract──▶ retracted
      ▲                   │                   │  ▲
      │                 reject                └──┘ correct (new version, public note)
      │                   ▼
      └─────reopen─── rejected

    (elsewhere) ──import──▶ approved   (again: updates it, from any status but retracted)

Content already published elsewhere enters by import: a new article starts approved, with
its original publication date, and importing it again updates it from any status but
retracted (``Action.IMPORT``).

``TRANSITIONS`` is the whole state machine; ``transition_for`` is the only way to move an
article, so an action from a status not listed is an ``INVALID_TRANSITION`` error naming the
statuses it is allowed from. Each action names the ``Capability`` it needs on the article's
agency (``hub.auth.allows`` decides whether a viewer has it) and the kind of step the history
records. Only ``FOUR_EYES_ACTIONS`` forbid acting on one's own article.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hub.errors import InvalidTransition
from hub.vocabulary import ArticleStatus, TransitionKind

PUBLIC_STATUSES = frozenset({ArticleStatus.APPROVED, ArticleStatus.RETRACTED})
"""Published information: readable by everyone (a retracted article shows its retraction)."""

UNPUBLISHED_STATUSES = frozenset(ArticleStatus) - PUBLIC_STATUSES
"""Readable by the source agency's members (and its API keys with a drafts scope)."""

REVIEW_STATUSES = frozenset({ArticleStatus.SUBMITTED, ArticleStatus.REJECTED})
"""Readable by reviewers entitled to an agency's submissions from outside the agency."""

PROVINCIAL_REVIEWER_TYPE = "diskominfo_provinsi"
"""Editors of an agency of this type review submissions of the regency/city agencies of its
province that ask for it (``Agency.provincial_review``)."""

EDITABLE_STATUSES = frozenset({ArticleStatus.DRAFT})
DELETABLE_STATUSES = frozenset({ArticleStatus.DRAFT, ArticleStatus.REJECTED})


class Capability(StrEnum):
    """What an action needs on the agency that owns the thing acted upon."""

    WRITE_DRAFTS = "write_drafts"  # contributor+, or an API key with articles:submit
    REVIEW = "review"  # editor+, or an entitled provincial reviewer
    EDIT_PUBLISHED = "edit_published"  # editor+ of the agency itself
    MANAGE_EVENTS = "manage_events"  # editor+, or an API key with events:write
    ADMINISTER = "administer"  # agency admin, or a platform admin
    IMPORT_ARTICLES = "import_articles"  # editor+, or an API key with articles:import


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    REOPEN = "reopen"
    RETRACT = "retract"
    CORRECT = "correct"
    IMPORT = "import"


class Reason(StrEnum):
    NONE = "none"  # no reason taken
    PRIVATE = "private"  # required; shown to those who may read the article's history
    PUBLIC = "public"  # required; shown with the article to everyone


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[ArticleStatus]
    target: ArticleStatus
    capability: Capability
    kind: TransitionKind
    reason: Reason = Reason.NONE


TRANSITIONS: dict[Action, Transition] = {
    transition.action: transition
    for transition in (
        Transition(
            Action.SUBMIT,
            frozenset({ArticleStatus.DRAFT}),
            ArticleStatus.SUBMITTED,
            Capability.WRITE_DRAFTS,
            TransitionKind.SUBMITTED,
        ),
        Transition(
            Action.APPROVE,
            frozenset({ArticleStatus.SUBMITTED}),
            ArticleStatus.APPROVED,
            Capability.REVIEW,
            TransitionKind.APPROVED,
        ),
        Transition(
            Action.REJECT,
            frozenset({ArticleStatus.SUBMITTED}),
            ArticleStatus.REJECTED,
            Capability.REVIEW,
            TransitionKind.REJECTED,
            Reason.PRIVATE,
        ),
        Transition(
            Action.REOPEN,
            frozenset({ArticleStatus.REJECTED}),
            ArticleStatus.DRAFT,
            Capability.WRITE_DRAFTS,
            TransitionKind.REOPENED,
        ),
        Transition(
            Action.RETRACT,
            frozenset({ArticleStatus.APPROVED}),
            ArticleStatus.RETRACTED,
            Capability.EDIT_PUBLISHED,
            TransitionKind.RETRACTED,
            Reason.PUBLIC,
        ),
        Transition(
            Action.CORRECT,
            frozenset({ArticleStatus.APPROVED}),
            ArticleStatus.APPROVED,
            Capability.EDIT_PUBLISHED,
            TransitionKind.CORRECTED,
            Reason.PUBLIC,
        ),
        Transition(
            Action.IMPORT,
            frozenset(ArticleStatus) - {ArticleStatus.RETRACTED},
            ArticleStatus.APPROVED,
            Capability.IMPORT_ARTICLES,
            TransitionKind.IMPORTED,
        ),
    )
}

FOUR_EYES_ACTIONS = frozenset({Action.APPROVE})
"""Actions a viewer may not take on an article they wrote or submitted."""


def transition_for(action: Action, status: ArticleStatus) -> Transition:
    """The transition ``action`` makes from ``status``; ``InvalidTransition`` if there is none."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        allowed = ", ".join(sorted(source.value for source in transition.sources))
        raise InvalidTransition(
            f"cannot {action.value} an article that is {status.value}; only from: {allowed}"
        )
    return transition


def ensure_editable(status: ArticleStatus) -> None:
    if status not in EDITABLE_STATUSES:
        raise InvalidTransition(
            f"only drafts can be edited; this article is {status.value}"
            + ("; reopen it first" if status is ArticleStatus.REJECTED else "")
        )


def ensure_deletable(status: ArticleStatus) -> None:
    if status not in DELETABLE_STATUSES:
        raise InvalidTransition(
            f"only drafts and rejected articles can be deleted; this article is {status.value}"
        )
