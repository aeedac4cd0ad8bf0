"""scope_for reads the role → scope kind table (config.ROLE_SCOPES); the tables name real roles."""

from types import SimpleNamespace

import pytest

import config
from app.models.org import StaffPosition, StaffStatus
from app.services.scope import EVERYTHING, NOTHING, Kind, Scope, kind_for, scope_for

TABLE = {"Head": "everything", "Town": "center", "Chief": "department", "Clerk": "own", "Agent": "center_own"}


def staff(**facts):
    base = {
        "id": 7,
        "center_id": 3,
        "department_id": 5,
        "status": StaffStatus.active,
        "position": StaffPosition.a_post,
    }
    return SimpleNamespace(**{**base, **facts})


@pytest.mark.parametrize(
    ("roles", "kind"),
    [
        (["Head"], Kind.everything),
        (["Town"], Kind.center),
        (["Chief"], Kind.department),
        (["Clerk"], Kind.own),
        (["Clerk", "Chief"], Kind.department),
        (["Clerk", "Town"], Kind.center),
        (["Agent"], Kind.center_own),
        (["Agent", "Town"], Kind.center),
        (["Agent", "Chief"], Kind.center_own),
        (["Chief", "Head"], Kind.everything),
        (["Unlisted"], None),
        ([], None),
    ],
)
def test_the_widest_kind_among_the_roles_wins(roles, kind):
    assert kind_for(roles, TABLE) is kind


def test_each_kind_is_anchored_in_the_staff_record():
    assert scope_for(["Town"], TABLE, staff()) == Scope(Kind.center, center_id=3, department_id=5, staff_id=7)
    assert scope_for(["Chief"], TABLE, staff()) == Scope(Kind.department, center_id=3, department_id=5, staff_id=7)
    assert scope_for(["Clerk"], TABLE, staff()).kind is Kind.own


def test_everything_needs_no_staff_record_and_the_others_an_active_one():
    assert scope_for(["Head"], TABLE) is EVERYTHING
    assert scope_for(["Town"], TABLE) is NOTHING
    assert scope_for(["Chief"], TABLE, staff(status=StaffStatus.inactive)) is NOTHING
    assert scope_for(["Clerk"], TABLE, staff(status=StaffStatus.left)) is NOTHING
    assert scope_for(["Unlisted"], TABLE, staff()) is NOTHING


def test_a_window_leader_is_marked():
    assert scope_for(["Clerk"], TABLE, staff(position=StaffPosition.leader)).leads_window
    assert not scope_for(["Clerk"], TABLE, staff()).leads_window


def test_an_unknown_kind_in_the_table_is_refused():
    with pytest.raises(ValueError):
        kind_for(["Town"], {"Town": "township"})


def test_the_role_tables_name_the_roles_fab_grants():
    roles = set(config.FAB_ROLES) - {"Public"}
    assert set(config.ROLE_SCOPES) == roles, "every role with grants needs a scope kind, and only those"
    assert {Kind(kind) for kind in config.ROLE_SCOPES.values()} <= set(Kind)
    for duty, holders in config.ROLE_DUTIES.items():
        assert holders and holders <= roles, duty


def test_todays_roles_keep_their_scope():
    assert {role: Kind(kind) for role, kind in config.ROLE_SCOPES.items()} == {
        "Admin": Kind.everything,
        "CenterManager": Kind.everything,
        "Supervisor": Kind.everything,
        "Leader": Kind.everything,
        "ChiefRep": Kind.department,
        "WindowStaff": Kind.own,
        "TownshipStaff": Kind.center_own,
        "TownshipHead": Kind.center,
        "SubCenterHead": Kind.center,
        "VillageAgent": Kind.center_own,
    }
