"""Revoking a user's logins: after a logout or a password change, earlier credentials stop working.

Browser logins are `LoginSession` rows and end one by one. API tokens (JWT) are signed, not
stored: each carries its user's token generation from when it was issued
(`TOKEN_GENERATION_CLAIM`), and app.security refuses a token whose generation is no longer the
user's. Moving the generation on therefore revokes every access and refresh token issued before.
The caller commits.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models.system import LoginSession, TokenGeneration

TOKEN_GENERATION_CLAIM = "gen"


def token_generation(session: Session, user_id: int) -> int:
    """The generation a token of `user_id` must carry (0 until the first revocation)."""
    return session.scalar(sa.select(TokenGeneration.generation).where(TokenGeneration.user_id == user_id)) or 0


def revoke_tokens(session: Session, user_id: int) -> None:
    """Refuse every API token of the user issued until now."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[session.get_bind().dialect.name]
    table = TokenGeneration.__table__
    # Created if missing, then bumped in one UPDATE: two revocations at once both count.
    session.execute(insert(table).values(user_id=user_id, generation=0).on_conflict_do_nothing())
    session.execute(sa.update(table).where(table.c.user_id == user_id).values(generation=table.c.generation + 1))


def revoke_logins(session: Session, user_id: int, now: datetime, keep_session: str | None = None) -> int:
    """End the user's login sessions but `keep_session` (the one changing its own password) and
    every API token issued until now; returns how many login sessions ended."""
    revoke_tokens(session, user_id)
    ending = sa.update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    if keep_session is not None:
        ending = ending.where(LoginSession.token != keep_session)
    return session.execute(ending.values(ended_at=now)).rowcount
