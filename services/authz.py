"""Role checks where the actions happen: a refused action raises with the reason.

The services check the role of whoever signed in to this process (services.accounts
sets it through services.events.set_actor). A process nobody signed in to — a test,
a Python script using the services directly, a command on a database that has no
accounts yet — has no role and is not restricted: the roles guard the consoles, not
the database file, whose owner can write to it anyway.
"""

from __future__ import annotations

import logging

from comcen_desktop import roles
from services import events

log = logging.getLogger(__name__)


class PermissionRefusedError(ValueError):
    """A role may not do an action; the message says who may.

    A ValueError, so every handler that already shows a refused change's message to
    the operator shows this one too.
    """

    def __init__(self, role: str | None, action: str):
        super().__init__(roles.refusal(role, action))
        self.role = role
        self.action = action


def require(
    role: str | None, action: str, error: type[PermissionRefusedError] = PermissionRefusedError
) -> None:
    """Raise ``error`` unless ``role`` may do ``action`` (None: unrestricted). A service
    may pass a subclass that its callers already catch (lifecycle.StageRefusedError)."""
    if role is None:
        return
    if not roles.allowed(role, action):
        log.info("Refused %s for role %s", action, role)
        raise error(role, action)


def require_current(
    action: str, error: type[PermissionRefusedError] = PermissionRefusedError
) -> None:
    """The same check for the user signed in to this process."""
    require(events.current_role(), action, error)


def refusal_now(action: str) -> str | None:
    """Why the signed-in user may not do ``action``, or None when they may."""
    role = events.current_role()
    if role is None or roles.allowed(role, action):
        return None
    return roles.refusal(role, action)
