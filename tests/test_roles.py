"""The role table: who may do what, and refusals that name who may."""

from __future__ import annotations

import pytest

from comcen_desktop import roles
from comcen_desktop.roles import Role


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        ("operator", "report.create", True),
        ("operator", "dispatch.assign", True),
        ("operator", "report.correct_time", False),
        ("operator", "targets.edit", False),
        ("operator", "users.manage", False),
        ("operator", "audit.view", False),
        ("supervisor", "report.correct_time", True),
        ("supervisor", "targets.edit", True),
        ("supervisor", "audit.export", True),
        ("supervisor", "users.manage", False),
        ("supervisor", "settings.edit", False),
        ("wall", "console.view", True),
        ("wall", "dispatch.assign", False),
        ("wall", "report.create", False),
        ("admin", "users.manage", True),
        ("admin", "settings.edit", True),
        ("admin", "dispatch.assign", True),
    ],
)
def test_the_table(role, action, expected):
    assert roles.allowed(role, action) is expected


def test_the_wall_may_only_look():
    assert [a for a in roles.ACTIONS if roles.allowed("wall", a)] == ["console.view"]


def test_unknown_role_or_action_may_do_nothing():
    assert roles.allowed("tamu", "console.view") is False
    assert roles.allowed(None, "console.view") is False
    assert roles.allowed("admin", "report.delete") is False


def test_refusal_names_who_may():
    text = roles.refusal("operator", "report.correct_time")
    assert text == (
        "Peran operator tidak boleh mengoreksi waktu tahap; yang boleh: supervisor dan admin."
    )


def test_refusal_for_the_wall_lists_every_desk_role():
    text = roles.refusal("wall", "dispatch.assign")
    assert text == (
        "Peran layar dinding tidak boleh menugaskan regu; "
        "yang boleh: operator, supervisor dan admin."
    )


def test_refusal_of_an_unknown_action_says_so():
    assert "tidak dikenal" in roles.refusal("admin", "report.delete")


def test_every_action_has_a_description_and_an_admin():
    for action, (allowed, what) in roles.ACTIONS.items():
        assert what.strip(), action
        if action != "console.view":
            assert Role.WALL not in allowed, action
        assert Role.ADMIN in allowed, action
