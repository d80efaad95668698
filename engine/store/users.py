"""People who sign in to the web UI: users, their groups (teams and departments) and roles.

Roles grant capabilities (agent, team_lead, manager, designer, admin); groups decide which work a person
sees (candidate groups of tasks, departments that receive hand-overs). A department member is simply a
user in a department group.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.models import Base

user_group = Table(
    "user_group",
    Base.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("user_group_def.id", ondelete="CASCADE"), primary_key=True),
)


class Group(Base):
    """A team or department; its name is the candidate group used in the diagrams' lanes."""

    __tablename__ = "user_group_def"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    # Departments receive hand-overs from agents and have an inbox for them.
    is_department: Mapped[bool] = mapped_column(Boolean, default=False)

    members: Mapped[list[User]] = relationship(secondary=user_group, back_populates="groups")


class User(Base):
    """A person with a password hash (argon2), a UI language and a switch to lock them out."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(5), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    groups: Mapped[list[Group]] = relationship(secondary=user_group, back_populates="members", lazy="selectin")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> list[str]:
        return sorted(row.role for row in self.role_rows)

    @property
    def group_names(self) -> list[str]:
        return sorted(group.name for group in self.groups)


class UserRole(Base):
    """One role of a user."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_role_user_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))


class LoginAttempt(Base):
    """A sign-in attempt; recent failures per name and per address throttle further tries (all workers)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_remote_at", "remote_addr", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150))
    remote_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    success: Mapped[bool] = mapped_column(Boolean)
