"""`flask appraisal generate YEAR` and `flask appraisal workbook YEAR PATH`: the annual appraisal from the shell."""

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app import clock
from app.cli import _system_user
from app.extensions import db
from app.services import appraisal, appraisal_workbook, settings


def appraisal_commands():
    group = AppGroup("appraisal", help="The annual appraisal (年度考核).")

    @group.command("generate")
    @click.argument("year", type=int)
    def generate_command(year):
        """Appraise YEAR: eligibility, grades and bars for every center (replaces unconfirmed rows)."""
        now = clock.now()
        user = _system_user(current_app.appbuilder.sm)
        try:
            rows = appraisal.generate(db.session, year, now, user.username)
        except appraisal.AppraisalError:
            click.echo(f"年份须在 2000 至 {now.year} 之间。", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(f"{year} 年度考核已生成：写入 {rows} 行（已确认的结果保留不变）。")

    @group.command("workbook")
    @click.argument("year", type=int)
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    def workbook_command(year, path):
        """Write YEAR's result, one row per staff member, to the .xlsx PATH."""
        rows = appraisal.results(db.session, year, sa.true())
        data = appraisal_workbook.build(
            rows, year, settings.get(db.session, "center_name"), appraisal.Rules.load(db.session), clock.now()
        )
        with open(path, "wb") as handle:
            handle.write(data)
        click.echo(f"{year} 年度考核结果 {len(rows)} 人已写入 {path}")

    return group
