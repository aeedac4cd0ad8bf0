"""`flask` commands: init, seed-demo, import. Each one is a thin call into services."""

import secrets
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from flask_appbuilder.security.manager import BaseSecurityManager
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.services import audit, calendar, settings


def _system_user(sm):
    """The account scheduler jobs and CLI commands act as (never logs in: random password)."""
    username = current_app.config["SYSTEM_USERNAME"]
    user = sm.find_user(username=username)
    if user is None:
        # first name 任务, last name 系统: shown 姓 then 名, 系统任务
        user = sm.add_user(username, "任务", "系统", f"{username}@localhost", [], password=secrets.token_urlsafe(32))
    return user


def init_database() -> dict:
    """Converge roles, permissions, the system user and settings. Safe to run again."""
    sm = current_app.appbuilder.sm
    # FAB_CREATE_DB=False makes SecurityManager.create_db() a no-op; the base
    # class's version is the part we want: roles from FAB_ROLES, Admin, Public.
    BaseSecurityManager.create_db(sm)
    current_app.appbuilder.add_permissions(update_perms=True)
    user = _system_user(sm)
    audit.set_actor(db.session, user.id, user.username)
    added = settings.ensure_defaults(db.session)
    from app.services.assessment import ensure_rules  # default 考核细则, by code; edited rules are kept

    ensure_rules(db.session)
    days = calendar.seed_official(db.session)
    db.session.commit()
    return {"roles": len(current_app.config["FAB_ROLES"]), "settings_added": added, "calendar_days": days}


def _progress_bar():
    bars = {}

    def progress(step, done, total):
        if total is None:  # a file read as a stream: rows so far, the total comes at its end
            click.echo(f"\r{step:<12} {done}", nl=False)
            return
        bar = bars.get(step)
        if bar is None:
            bar = bars[step] = click.progressbar(length=total, label=f"{step:<12}", show_pos=True)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return progress


def seed_demo_data(progress=None):
    from app.services.demo.county import seed_demo

    sm = current_app.appbuilder.sm
    roles = {name: sm.find_role(name) for name in current_app.config["FAB_ROLES"]}
    password_hash = generate_password_hash(
        current_app.config["DEMO_PASSWORD"], method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt")
    )
    user = _system_user(sm)
    audit.set_actor(db.session, user.id, user.username)
    summary = seed_demo(db.session, password_hash=password_hash, roles=roles, progress=progress)
    db.session.commit()
    from app import clock
    from app.services.demo.attendance import seed_attendance

    seed_attendance(db.session, clock.now().date())  # the last full month; skipped when attendance exists
    db.session.commit()
    from app.services.demo.queue import seed_queue

    seed_queue(db.session, clock.now())  # this morning's tickets; skipped when there are some
    db.session.commit()
    return summary


def seed_demo_cases(count: int, progress=None) -> dict | None:
    """A year of cases up to today for the demo county; skipped when cases already exist."""
    from datetime import timedelta

    from app import clock
    from app.models.case import Case
    from app.services.case_flow import Clock
    from app.services.demo import network
    from app.services.demo.applications import seed_applications
    from app.services.demo.bulk import bulk_connection
    from app.services.demo.cases import generate_cases
    from app.services.demo.duty import seed_duty
    from app.services.demo.handoffs import seed_handoffs
    from app.services.demo.history import seed_history
    from app.services.demo.transfers import seed_transfers

    if count <= 0 or db.session.scalar(sa.select(sa.func.count()).select_from(Case)):
        return None
    now = clock.now()
    rules = Clock.load(db.session)
    db.session.remove()
    with bulk_connection(db.engine) as connection:
        generated = generate_cases(
            connection, year_start=now - timedelta(days=365), count=count, clock=rules, now=now, progress=progress
        )
        generated["network"] = network.generate_cases(
            connection, year_start=now - timedelta(days=365), now=now, clock=rules, count=count // 10
        )
        generated["transfers"] = seed_transfers(connection, now=now, clock=rules)
    # Other demo modules that build on the cases go here; the lived-in year (reports, scores,
    # leave, complaints, notices…) replays the jobs over all of it, so it comes last.
    generated["handoffs"] = seed_handoffs(db.session, now)
    generated["duty"] = seed_duty(db.session, now)
    generated["applications"] = seed_applications(db.session, now, current_app.config["FILES_DIR"])
    generated["history"] = seed_history(
        db.session, now, system_username=current_app.config["SYSTEM_USERNAME"], progress=progress
    )
    db.session.commit()
    return generated


def database_is_empty() -> bool:
    from app.models.org import Center

    return db.session.scalar(sa.select(sa.func.count()).select_from(Center)) == 0


def register_cli(app):
    govhall = AppGroup("govhall", help="GovHall administration.")

    @govhall.command("init")
    def init_command():
        """Create roles, permissions, the system user and default settings (idempotent)."""
        result = init_database()
        click.echo(f"已初始化：{result['roles']} 个角色，新增 {result['settings_added']} 项设置。")

    app.cli.add_command(govhall)

    @app.cli.command("seed-demo")
    @click.option(
        "--cases",
        default=100_000,
        show_default=True,
        type=click.IntRange(0, 5_000_000),
        help="How many cases (one year up to today) to generate when there are none yet.",
    )
    def seed_demo_command(cases):
        """Load the demo county (centers, departments, windows, staff with logins, matters) and a year of cases."""
        progress = _progress_bar()
        summary = seed_demo_data(progress=progress)
        generated = seed_demo_cases(cases, progress=progress)
        if generated:
            click.echo(
                f"办件 {generated['cases']} 件（流转记录 {generated['events']} 条），用时 {generated['seconds']} 秒。"
            )
            if generated.get("history"):
                seconds = generated["history"]["seconds"]
                click.echo(f"一年的使用记录（月报、得分、请假、投诉、整改、考勤、消息），用时 {seconds} 秒。")
        if not summary.created:
            click.echo("示范数据已存在，未重复创建。")
        click.echo(
            f"中心 {summary.centers} 个，部门 {summary.departments} 个，窗口 {summary.windows} 个，"
            f"工作人员 {summary.staff} 名，事项 {summary.matters} 项。"
        )
        print_logins(summary.logins)

    imports = AppGroup("import", help="Import data from Excel files.")

    @imports.command("matters")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
    def import_matters_command(path, dry_run):
        """Import the matter catalogue from an .xlsx file (all rows or none)."""
        from app.services.matter_import import import_matters

        user = _system_user(current_app.appbuilder.sm)
        audit.set_actor(db.session, user.id, user.username)
        with open(path, "rb") as handle:
            report = import_matters(db.session, handle, dry_run=dry_run)
        _finish_import(
            report,
            dry_run,
            [("提示", report.warnings)],
            f"新增 {report.created} 项，更新 {report.updated} 项",
            planned=f"将新增 {report.created} 项，更新 {report.updated} 项",
        )

    @imports.command("matters-template")
    @click.argument("path", type=click.Path(dir_okay=False))
    def matters_template_command(path):
        """Write an empty matter catalogue template to PATH."""
        from app.services.matter_import import build_template

        build_template(path)
        click.echo(f"模板已写入 {path}")

    @imports.command("attendance")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
    @click.option(
        "--allow-old-dates",
        is_flag=True,
        help="Confirm that dates older than the setting attendance_import_window_days are meant.",
    )
    def import_attendance_command(path, dry_run, allow_old_dates):
        """Import a fingerprint-device export (.xlsx or .csv, UTF-8 or GBK; all rows or none)."""
        from app import clock
        from app.services.attendance_import import import_attendance

        user = _system_user(current_app.appbuilder.sm)
        audit.set_actor(db.session, user.id, user.username)
        with open(path, "rb") as handle:
            report = import_attendance(
                db.session,
                handle,
                path,
                dry_run=dry_run,
                today=clock.now().date(),
                allow_old=allow_old_dates,
                progress=_progress_bar(),
            )
        _finish_import(
            report,
            dry_run,
            [("跳过", report.skipped)],
            f"{report.first_day}～{report.last_day}：新增 {report.created} 条，替换 {report.replaced} 条，"
            f"补记缺勤 {report.absences} 条，保留人工更正 {len(report.skipped)} 条",
        )

    @imports.command("attendance-template")
    @click.argument("path", type=click.Path(dir_okay=False))
    def attendance_template_command(path):
        """Write an attendance import template to PATH."""
        from app.services.attendance_import import build_template

        build_template(path)
        click.echo(f"模板已写入 {path}")

    app.cli.add_command(imports)
    app.cli.add_command(_calendar_commands())
    from app.cli_jobs import job_commands

    app.cli.add_command(job_commands())
    from app.cli_scores import score_commands

    app.cli.add_command(score_commands())
    from app.cli_appraisal import appraisal_commands

    app.cli.add_command(appraisal_commands())
    _backup_commands(app)

    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the scheduled jobs. Start exactly one beside the web workers; a second one waits."""
        import signal

        from app.scheduler import Lease, serve

        # systemd stops with SIGTERM: unwind like Ctrl+C, so the lease is given up at once.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            serve(current_app._get_current_object(), Lease(db.engine), say=click.echo)
        except KeyboardInterrupt:
            pass


def _finish_import(report, dry_run, notes, summary, planned=None):
    """Print an importer's row problems, then commit, or roll back a dry run or a refused file.
    `notes` is (label, problem list); each list holds its first 1,000 and counts the rest.
    `planned` words the dry run's summary where it differs from what the import reports."""
    for label, problems in [("错误", report.errors), *notes]:
        for problem in problems:
            column = f" {problem.column}" if problem.column else ""
            click.echo(f"{label} 第{problem.row or '-'}行{column}：{problem.message}", err=True)
        if problems.more:
            click.echo(f"{label}：另有 {problems.more} 条未列出。", err=True)
    if not report.ok:
        db.session.rollback()
        click.echo(f"发现 {report.errors.total} 个问题，未写入任何数据。", err=True)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo(f"预检通过：{planned or summary}（未写入）。")
    else:
        db.session.commit()
        click.echo(f"导入完成：{summary}。")


def _backup_commands(app):
    """`flask backup`, `flask restore`, and `flask db` whose downgrade asks for a backup first."""

    @app.cli.command("backup")
    @click.option("--to", "folder", type=click.Path(file_okay=False), help="Folder (default: BACKUP_DIR).")
    def backup_command(folder):
        """Back up the database while the application runs (keeps the newest `backup_keep`)."""
        from app import clock
        from app.services import backup

        made = backup.backup_kept(
            db.session, folder or current_app.config["BACKUP_DIR"], clock.now(), current_app.config["FILES_DIR"]
        )
        click.echo(f"备份完成：{made.file}（SHA-256 {made.sha256[:16]}…，数据库版本 {made.revision}）")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(path, yes):
        """Replace the database with a backup, once the copy passed every check (nothing changes otherwise)."""
        from alembic.script import ScriptDirectory

        from app.extensions import migrate
        from app.services import backup

        head = ScriptDirectory.from_config(migrate.get_config()).get_current_head()
        try:
            manifest = backup.verify(path, engine_name=db.engine.dialect.name, expected_revision=head)
        except backup.BackupError as exc:
            click.echo(f"拒绝恢复：{exc}", err=True)
            sys.exit(1)
        if not yes:
            click.confirm(f"用 {manifest.created_at} 的备份替换当前数据库？当前数据将被覆盖", abort=True)
        db.session.remove()
        try:
            backup.restore(db.engine, path, expected_revision=head, files_dir=current_app.config["FILES_DIR"])
        except backup.BackupError as exc:
            click.echo(f"恢复失败，当前数据库未改动：{exc}", err=True)
            sys.exit(1)
        click.echo(f"已恢复 {manifest.created_at} 的备份，完整性检查通过。请重启应用和调度进程。")

    app.cli.add_command(_guarded_migrations())


def _guarded_migrations():
    """Flask-Migrate's `db` group, except that a downgrade (which drops tables and columns with
    their data) on a database holding cases needs --yes-i-have-a-backup."""
    from flask_migrate.cli import db as migrations

    downgrade = migrations.commands["downgrade"]
    confirmed = click.Option(
        ["--yes-i-have-a-backup", "backed_up"], is_flag=True, help="Downgrade although the database holds cases."
    )

    @click.command("downgrade", params=[*downgrade.params, confirmed], help=downgrade.help)
    @click.pass_context
    def guarded_downgrade(ctx, backed_up, **options):
        from app.services import backup

        with db.engine.connect() as connection:
            cases = backup.cases_at_risk(connection)
        if cases and not backed_up:
            click.echo(
                f"拒绝降级：数据库中有 {cases} 件办件，降级会删除数据表和字段，其中的数据无法找回。"
                "请先备份（flask backup），确认后加 --yes-i-have-a-backup 重试。",
                err=True,
            )
            sys.exit(1)
        ctx.invoke(downgrade.callback, **options)

    return click.Group(
        "db",
        commands={**migrations.commands, "downgrade": guarded_downgrade},
        params=migrations.params,
        callback=migrations.callback,
        help=migrations.help,
    )


def _calendar_commands():
    from datetime import datetime

    from app import clock
    from app.services import deadlines
    from app.services.calendar_import import read_schedule

    group = AppGroup("calendar", help="The working-day calendar.")

    @group.command("due")
    @click.argument("pairs", nargs=-1, required=True)
    def due_command(pairs):
        """Print the due instant for each ACCEPTED_AT DAYS pair (ISO 8601, e.g. 2026-09-30T10:00 5)."""
        if len(pairs) % 2:
            raise click.UsageError("参数须成对出现：受理时间 工作日数")
        cal = calendar.load(db.session)
        hours = deadlines.parse_office_hours(settings.get(db.session, "office_hours"))
        for accepted_text, days_text in zip(pairs[::2], pairs[1::2], strict=True):
            try:
                accepted = clock.to_local_naive(datetime.fromisoformat(accepted_text))
                days = int(days_text)
                result = deadlines.deadline(accepted, days, cal, hours)
            except ValueError as exc:
                raise click.BadParameter(f"{accepted_text} {days_text}: {exc}") from exc
            note = "" if result.confirmed else f"  （未确认：{result.due_at.year} 年日历尚未导入，按周一至周五计算）"
            click.echo(f"{clock.isoformat(accepted)}  +{days}  →  {clock.isoformat(result.due_at)}{note}")

    @group.command("show")
    @click.argument("year", type=int)
    def show_command(year):
        """List YEAR's holidays and makeup working days."""
        rows = calendar.year_rows(db.session, year)
        if not rows:
            click.echo(f"{year} 年日历尚未导入：期限将按周一至周五计算并标记为未确认。")
            return
        for row in rows:
            weekday = "一二三四五六日"[row.day.weekday()]
            click.echo(f"{row.day.isoformat()} 周{weekday}  {row.kind.label:<8} {row.name}")
        click.echo(f"共 {len(rows)} 天。")

    @group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def import_command(path):
        """Import a year's schedule (.xlsx or .csv: 日期, 类型 休/班, 名称); each year in it is replaced whole."""
        from app.services.import_rows import Limits

        limits = Limits.from_settings(db.session, "calendar_import_max_rows")
        with open(path, "rb") as handle:
            exceptions, errors = read_schedule(path, handle, limits)
        if errors:
            for error in errors:
                click.echo(error, err=True)
            click.echo("未导入任何数据。", err=True)
            sys.exit(1)
        user = _system_user(current_app.appbuilder.sm)
        audit.set_actor(db.session, user.id, user.username)
        result = calendar.import_exceptions(db.session, exceptions)
        db.session.commit()
        from app.services.case_flow import Clock, recompute_unconfirmed

        moved = recompute_unconfirmed(db.session, Clock.load(db.session), clock.now())
        db.session.commit()
        click.echo(
            f"已导入 {'、'.join(map(str, result['years']))} 年日历，共 {result['days']} 天；"
            f"重新计算了 {moved} 件未确认期限的办件。"
        )

    return group


def print_logins(logins):
    password = current_app.config["DEMO_PASSWORD"]
    click.echo(f"示范账号（密码均为 {password}）：")
    for role, username in logins.items():
        click.echo(f"  {role:<14} {username}")
