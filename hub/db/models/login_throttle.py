"""Failed logins: a running count per e-mail address and per client address (the throttle),
and the audit log of every failed attempt.

A throttle row holds how many attempts failed since the count last restarted and until when
the next one must wait; rows are shared by every server process (see
``hub.resolvers.login_throttle``). The audit log keeps who tried which e-mail address from
where, when and why it failed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, created_at_column, one_of
from hub.vocabulary import LoginFailure, ThrottleSubject


class LoginThrottle(Base):
    __tablename__ = "login_throttles"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failure_at: Mapped[datetime] = created_at_column()
    blocked_until: Mapped[datetime] = created_at_column()

    __table_args__ = (
        one_of("kind", ThrottleSubject, "kind"),
        Index("ix_login_throttles_last_failure_at", "last_failure_at"),
    )


class LoginFailureEntry(Base):
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = created_at_column()
    email: Mapped[str] = mapped_column(String(254))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    address: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(24))
    wait_seconds: Mapped[int | None] = mapped_column(
        doc="For refused attempts: how long the caller was told to wait"
    )

    __table_args__ = (
        one_of("reason", LoginFailure, "reason"),
        Index("ix_login_failures_at", "at"),
    )
