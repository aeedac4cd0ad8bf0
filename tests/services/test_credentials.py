"""Revocation: the token generation moves on, login sessions end but the one kept."""

from datetime import datetime

import sqlalchemy as sa

from app.models.system import LoginSession
from app.services import credentials

NOW = datetime(2026, 11, 24, 10, 0)


def _logins(session, user_id, *tokens):
    for token in tokens:
        session.add(LoginSession(token=token, user_id=user_id, created_at=NOW, last_seen_at=NOW))
    session.flush()


def _open(session, user_id):
    query = sa.select(LoginSession.token).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    return set(session.scalars(query))


def test_generation_starts_at_zero_and_moves_on_with_each_revocation(db_session, world_ids):
    user = world_ids["user_manager"]
    assert credentials.token_generation(db_session, user) == 0
    credentials.revoke_tokens(db_session, user)
    credentials.revoke_tokens(db_session, user)
    assert credentials.token_generation(db_session, user) == 2
    assert credentials.token_generation(db_session, world_ids["user_supervisor"]) == 0


def test_revoking_logins_ends_all_but_the_kept_one_and_the_tokens(db_session, world_ids):
    user, other = world_ids["user_staff_a"], world_ids["user_staff_b"]
    _logins(db_session, user, "phone", "desk", "laptop")
    _logins(db_session, other, "elsewhere")
    ended = credentials.revoke_logins(db_session, user, NOW, keep_session="desk")
    assert ended == 2 and _open(db_session, user) == {"desk"}
    assert _open(db_session, other) == {"elsewhere"}
    assert credentials.token_generation(db_session, user) == 1
    ended_at = db_session.scalar(sa.select(LoginSession.ended_at).where(LoginSession.token == "phone"))
    assert ended_at == NOW


def test_revoking_logins_without_one_to_keep_ends_them_all(db_session, world_ids):
    user = world_ids["user_manager"]
    _logins(db_session, user, "a", "b")
    assert credentials.revoke_logins(db_session, user, NOW) == 2 and _open(db_session, user) == set()
