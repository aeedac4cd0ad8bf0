"""`flask scores rescore YYYY-MM`: re-score a finished month after a settings or rule change."""

import click
from flask import current_app
from flask.cli import AppGroup

from app import clock
from app.cli import _system_user
from app.extensions import db
from app.services import audit, rescoring


def score_commands():
    group = AppGroup("scores", help="Monthly scores.")

    @group.command("rescore")
    @click.argument("month")
    def rescore_command(month):
        """Reclassify MONTH's attendance (YYYY-MM) under today's settings and rebuild its records and scores."""
        now = clock.now()
        chosen = rescoring.finished_month(month, now.date())
        if chosen is None:
            raise click.BadParameter("请给出已结束的月份（YYYY-MM）", param_hint="MONTH")
        user = _system_user(current_app.appbuilder.sm)
        audit.set_actor(db.session, user.id, user.username)
        result = rescoring.rescore_month(db.session, chosen, now)
        db.session.commit()
        click.echo(
            f"{chosen:%Y-%m} 已重新计分：考勤 {result.attendance_rows} 条重新判定，"
            f"扣分记录 {result.records_repriced} 条按现行细则改分，写入 {result.rows} 行。"
        )

    return group
