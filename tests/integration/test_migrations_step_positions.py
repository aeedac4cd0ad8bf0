"""Migration 0031 (step authority): a step's free-text handler becomes a staff position when it
names one (by name or Chinese label); other text restricts nothing and is kept in the step's note."""

from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models.matter import CaseKind, Matter, MatterCategory
from app.models.org import Center, CenterLevel, Department

STEPS = sa.text("SELECT seq, handler_position, note FROM matter_step WHERE matter_id = :m ORDER BY seq")


def test_upgrade_maps_position_labels_and_keeps_other_text_in_the_note(scratch_url):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from tests.conftest import _config_dict

    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": scratch_url})
    with app.app_context():
        upgrade(revision="0029")
        # Center, department and matter as they were at 0029: only the columns given (and those the
        # models default) are written, so columns added by later revisions stay out of the INSERT.
        with db.engine.begin() as conn:
            county_id = conn.execute(
                sa.insert(Center.__table__).values(code="XZ", name="示范县政务服务中心", level=CenterLevel.county)
            ).inserted_primary_key[0]
            department_id = conn.execute(
                sa.insert(Department.__table__).values(code="D01", name="县市场监督管理局", center_id=county_id)
            ).inserted_primary_key[0]
            matter_id = conn.execute(
                sa.insert(Matter.__table__).values(
                    code="XZ-D01-0001",
                    name="食品经营许可（新办）",
                    category=MatterCategory.licensing,
                    department_id=department_id,
                    case_kind=CaseKind.promised,
                    legal_limit_days=20,
                    promised_limit_days=10,
                    fee_standard=Decimal("0"),
                )
            ).inserted_primary_key[0]
        with db.engine.begin() as conn:
            for seq, handler, note in (
                (1, "窗口受理人员", None),
                (2, "B岗", "复核"),
                (3, "首席代表", None),
                (4, "clerk", None),
                (5, None, None),
                (6, "分管领导", "报批"),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO matter_step (matter_id, seq, name, limit_days, handler_position, note) "
                        "VALUES (:m, :seq, :name, 1, :handler, :note)"
                    ),
                    {"m": matter_id, "seq": seq, "name": f"环节{seq}", "handler": handler, "note": note},
                )
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(STEPS, {"m": matter_id}).all() == [
                (1, None, "经办：窗口受理人员"),
                (2, "b_post", "复核"),
                (3, "chief_rep", None),
                (4, "clerk", None),
                (5, None, None),
                (6, None, "经办：分管领导；报批"),
            ]
            columns = {c["name"] for c in sa.inspect(conn).get_columns("case")}
            assert "received_at" in columns
        downgrade(revision="0029")
        with db.engine.connect() as conn:
            assert "received_at" not in {c["name"] for c in sa.inspect(conn).get_columns("case")}
        db.session.remove()
        db.engine.dispose()
