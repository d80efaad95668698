"""Who acts on the engine: a user with groups and roles, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.domain.roles import ROLE_ADMIN, SUPERVISING_ROLES


@dataclass(frozen=True)
class Actor:
    """A user (or ``system``) with the groups and roles the permission checks look at."""

    username: str
    groups: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def supervises(self) -> bool:
        """True for team leads and admins, who may assign and take over any task."""
        return bool(self.roles & SUPERVISING_ROLES)


SYSTEM = Actor("system", roles=frozenset({ROLE_ADMIN}))


def make_actor(
    username: str, groups: list[str] | tuple[str, ...] = (), roles: list[str] | tuple[str, ...] = ()
) -> Actor:
    """Build an actor from plain lists (CLI options, session data)."""
    return Actor(username, frozenset(groups), frozenset(roles))
