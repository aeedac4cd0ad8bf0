"""The menu table's helpers that config.FAB_ROLES is built from."""

import re

import pytest

from app import menu

NAMES = [group.name for group in menu.MENU] + [e.name for g in menu.MENU for e in g.entries if e.name]


def test_menu_names_are_unique_and_ascii():
    """A menu name is also a permission name: two entries of one name would share their grant."""
    assert len(NAMES) == len(set(NAMES))
    assert all(name.isascii() for name in NAMES)


def test_menu_rules_cover_the_groups_less_the_exceptions():
    rules = menu.menu_rules("Cases", "Catalogue", without=("CaseIntake", "MatterImport"))
    granted = {
        name
        for pattern, _permission in rules
        for name in ("Cases", "CaseList", "MyCases", "CaseIntake", "MatterList", "MatterImport", "Catalogue")
        if re.match(pattern, name)
    }
    assert granted == {"Cases", "CaseList", "MyCases", "MatterList", "Catalogue"}
    assert all(permission == "^menu_access$" for _pattern, permission in rules)
    assert not any(re.match(pattern, "CaseListX") for pattern, _permission in rules)  # anchored


def test_menu_rules_split_long_alternations():
    groups = [group.name for group in menu.MENU]
    rules = menu.menu_rules(*groups)
    assert len(rules) > 1
    assert all(len(pattern) <= menu.MAX_PATTERN for pattern, _permission in rules)
    assert all(any(re.match(pattern, name) for pattern, _permission in rules) for name in NAMES)


def test_resources_of_a_group():
    assert menu.resources("Organisation") == (
        "Center|Department|Window|Staff|TrainingRecord|PreviousPost|WindowGroup|DelayedOpening"
    )
    assert menu.resources("People") == "Attendance|LeaveRequest|WindowRotation|PersonnelChange|LeaderDuty|LeaderVisit"


def test_unknown_names_are_refused():
    with pytest.raises(KeyError):
        menu.resources("Organization")
    with pytest.raises(KeyError):
        menu.menu_rules("Cases", without=("MatterImport",))
