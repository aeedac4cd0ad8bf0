"""Matters per level (issue 16.3): where a matter is received and how a township handles it,
seeded from the handling level, checked on the form, the API and the importer, and used by intake."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.models import Matter, MatterCategory
from app.models.matter import TownshipHandling
from app.models.org import CenterLevel, Staff
from app.services import matter_levels
from app.services.case_flow import Actor
from app.services.matter_import import import_matters
from tests.conftest import login
from tests.services.test_matter_import import row, workbook

LEVELS = ("received_at_county", "received_at_sub_center", "received_at_township", "received_at_village")


@pytest.mark.parametrize(
    ("level", "category", "received", "handling"),
    [
        (CenterLevel.county, MatterCategory.public_service, (True, False, True, True), TownshipHandling.report_up),
        (CenterLevel.county, MatterCategory.licensing, (True, False, True, True), TownshipHandling.full_service),
        (CenterLevel.sub_center, MatterCategory.confirmation, (False, True, True, True), TownshipHandling.report_up),
        (CenterLevel.township, MatterCategory.licensing, (True, False, True, True), TownshipHandling.on_site),
        (CenterLevel.village, MatterCategory.payment, (True, False, True, True), TownshipHandling.on_site),
    ],
)
def test_the_levels_follow_the_handling_level(level, category, received, handling):
    levels = matter_levels.levels_for(level, category)
    assert tuple(levels[column] for column in LEVELS) == received
    assert levels["township_handling"] is handling


def test_a_matter_received_nowhere_is_refused_and_the_refusal_names_the_levels(app):
    assert matter_levels.level_errors(dict.fromkeys(LEVELS, False))
    assert matter_levels.level_errors({"received_at_village": True}) == []
    matter = Matter(name="林木采伐许可", **matter_levels.levels_for(CenterLevel.sub_center, MatterCategory.licensing))
    assert matter_levels.receivable(matter, CenterLevel.township)
    assert matter_levels.refusal(matter, CenterLevel.township) is None
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        message = str(matter_levels.refusal(matter, CenterLevel.county))
    assert message == "“林木采伐许可”不在县级政务服务中心受理，可受理层级：分中心、乡镇便民服务中心、村便民服务站。"


def test_the_importer_reads_the_levels_and_fills_empty_ones_from_the_handling_level(db_session):
    rows = [
        row(code="XZ-L-0001", **{"办理层级": "乡镇便民服务中心"}),  # empty level cells: the rule
        row(code="XZ-L-0002", **{"乡镇受理": "否", "村级受理": "否", "乡镇办理方式": "全程业务"}),
    ]
    report = import_matters(db_session, workbook(*rows), dry_run=False)
    assert report.ok, report.errors
    db_session.commit()
    first, second = (
        db_session.scalar(sa.select(Matter).where(Matter.code == code)) for code in ("XZ-L-0001", "XZ-L-0002")
    )
    assert (first.received_at_county, first.received_at_township, first.township_handling) == (
        True,
        True,
        TownshipHandling.on_site,
    )
    assert (second.received_at_county, second.received_at_township, second.received_at_village) == (True, False, False)
    assert second.township_handling is TownshipHandling.full_service


def test_the_importer_refuses_a_row_received_nowhere_and_an_unknown_handling(db_session):
    nowhere = {"县级受理": "否", "分中心受理": "否", "乡镇受理": "否", "村级受理": "否"}
    report = import_matters(
        db_session,
        workbook(row(code="XZ-L-0003", **nowhere), row(code="XZ-L-0004", **{"乡镇办理方式": "随便"})),
        dry_run=False,
    )
    assert not report.ok and {error.row for error in report.errors} == {2, 3}
    assert db_session.scalar(sa.select(Matter).where(Matter.code.in_(["XZ-L-0003", "XZ-L-0004"]))) is None


def test_the_api_edits_the_levels_and_refuses_none(app, client, world_ids):
    login(client, "manager")
    pk = world_ids["matter_a"]
    with app.app_context():
        from app.extensions import db

        version = db.session.get(Matter, pk).version
    nowhere = dict.fromkeys(LEVELS, False)
    assert client.put(f"/api/v1/matter/{pk}", json={**nowhere, "version": version}).status_code in (400, 422)
    changed = client.put(
        f"/api/v1/matter/{pk}",
        json={"received_at_village": False, "township_handling": "full_service", "version": version},
    )
    assert changed.status_code == 200, changed.get_json()
    shown = client.get(f"/api/v1/matter/{pk}").get_json()["result"]
    assert (shown["received_at_village"], shown["township_handling"], shown["received_at_county"]) == (
        False,
        "full_service",
        True,
    )


def test_intake_offers_what_the_desks_level_receives(app, world_ids):
    """A county window offers its department's matters the county receives, not a sub-center's."""
    from app.extensions import db

    with app.app_context():
        staff = db.session.get(Staff, world_ids["staff_staff_a"])
        actor = Actor(
            user_id=staff.user_id,
            name=staff.name,
            roles=frozenset({"WindowStaff"}),
            staff_id=staff.id,
            department_id=staff.department_id,
            window_id=staff.window_id,
            center_id=staff.center_id,
        )
        matter = db.session.get(Matter, world_ids["matter_a"])
        matter.received_at_county = False
        matter.received_at_sub_center = True
        db.session.flush()
        day = date(2026, 9, 1)
        offered = set(
            db.session.scalars(sa.select(Matter.id).where(matter_levels.intake_clause(db.session, actor, day)))
        )
        assert world_ids["matter_a"] not in offered
        matter.received_at_county = True
        db.session.flush()
        offered = set(
            db.session.scalars(sa.select(Matter.id).where(matter_levels.intake_clause(db.session, actor, day)))
        )
        assert offered == {world_ids["matter_a"]}  # its own department's, not department B's
        db.session.rollback()
