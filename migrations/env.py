"""Alembic environment: Flask-Migrate's, plus the project's autogenerate rules (README, "A migration")."""

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
    except AttributeError:
        return str(get_engine().url).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db


def get_metadata():
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """`flask db upgrade --sql`: the SQL is written out, not run."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)

    with context.begin_transaction():
        context.run_migrations()


def include_object(dialect_name):
    """Autogenerate leaves out what the models mark as another engine's (app.models.base.only_on)."""

    def include(obj, name, type_, reflected, compare_to):
        return obj.info.get("dialect", dialect_name) == dialect_name

    return include


_BOOLEAN_TEXT = {"1": "sa.true()", "true": "sa.true()", "0": "sa.false()", "false": "sa.false()"}


def render_item(type_, obj, autogen_context):
    """Boolean server defaults as sa.true()/sa.false(), compiled per engine when the revision runs.

    Rendered as text, a default made on SQLite reads '0'/'1', which PostgreSQL refuses for a
    boolean column (and a default reflected from the database arrives as text either way).
    """
    if type_ != "server_default" or not isinstance(obj, sa.DefaultClause):
        return False
    if not isinstance(getattr(getattr(obj, "column", None), "type", None), sa.Boolean):
        return False
    default = obj.arg if isinstance(obj.arg, str) else str(obj.arg.compile(dialect=autogen_context.dialect))
    return _BOOLEAN_TEXT.get(default.strip("'() ").lower(), False)


def next_number(script_directory):
    """The project numbers revisions 0001, 0002…: the highest number so far plus one."""
    numbers = [int(script.revision) for script in script_directory.walk_revisions() if script.revision.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def process_revision_directives(migration_context, revision, directives):
    script = directives[0]
    if getattr(config.cmd_opts, "autogenerate", False) and script.upgrade_ops.is_empty():
        directives[:] = []  # `flask db migrate` with nothing to do writes no empty revision
        logger.info("No changes in schema detected.")
        return
    script.rev_id = next_number(context.script)


def run_migrations_online():
    connectable = get_engine()

    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode rebuilds a table to alter it (copy, drop, rename); with foreign
            # keys enforced, dropping a referenced table fails once it holds data.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end the implicit transaction, or Alembic would run inside it and never commit
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **{
                # compare_type and render_as_batch come from Migrate() in app/__init__.py.
                **current_app.extensions["migrate"].configure_args,
                "compare_server_default": True,
                "include_object": include_object(connection.dialect.name),
                "render_item": render_item,
                "process_revision_directives": process_revision_directives,
            },
        )

        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if connection.dialect.name == "sqlite":
                # The connection goes back to the app's pool: enforce foreign keys on it again.
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
