"""System tables: tunable settings and server-side login sessions."""

from datetime import datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column

from .base import Audited, VersionedMixin
from .scoping import EVERYTHING_ONLY


class Setting(Audited, VersionedMixin, Model):
    """A value a county tunes at run time; defaults live in services.settings."""

    __tablename__ = "setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    value: Mapped[str] = mapped_column(sa.String(500))

    __scope__ = EVERYTHING_ONLY

    def __str__(self) -> str:
        return self.key


class LoginSession(Model):
    """One login. Flask's session cookie only carries this row's token, so a
    logout (or an idle timeout) ends the session on the server: a copied
    cookie is worthless afterwards."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))

    __scope__ = EVERYTHING_ONLY


class TokenGeneration(Model):
    """A user's API token generation. API tokens are signed, not stored, so they cannot be ended
    one by one: each carries the generation it was issued in, and a logout or a password change
    moves the generation on, which refuses every token issued before (app.services.credentials)."""

    __tablename__ = "token_generation"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(sa.Integer)

    __scope__ = EVERYTHING_ONLY
