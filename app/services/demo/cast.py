"""Who acts in the demo county's history: the center's accounts and every staff member with a
login, as the case-flow `Actor` the services take (roles from their logins, as `actor_for` does)."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

from app.models.org import Staff, StaffPosition, StaffStatus
from app.services import audit
from app.services.case_flow import Actor
from app.services.demo.county import DEMO_ACCOUNTS
from config import ROLE_DUTIES


@dataclass
class Cast:
    accounts: dict[str, Actor]  # the center's demo people by username (manager, supervisor, …)
    staff: list[Actor]  # active staff with a login, in staff number order
    positions: dict[int, StaffPosition]  # staff id -> position
    chiefs: dict[int, Actor] = field(default_factory=dict)  # department id -> its chief representative

    @classmethod
    def load(cls, session) -> "Cast":
        roles: dict[int, set] = {}
        for user_id, role in session.execute(
            sa.select(assoc_user_role.c.user_id, Role.name).join(Role, Role.id == assoc_user_role.c.role_id)
        ):
            roles.setdefault(user_id, set()).add(role)
        users = {
            row.username: row
            for row in session.execute(sa.select(User.id, User.username, User.first_name, User.last_name))
        }
        accounts = {}
        for username, _role, surname, given in DEMO_ACCOUNTS:
            if username in users:
                accounts[username] = Actor(
                    users[username].id, surname + given, frozenset(roles.get(users[username].id, ()))
                )
        rows = session.execute(
            sa.select(
                Staff.id,
                Staff.name,
                Staff.user_id,
                Staff.department_id,
                Staff.window_id,
                Staff.center_id,
                Staff.position,
            )
            .where(Staff.status == StaffStatus.active, Staff.user_id.is_not(None))
            .order_by(Staff.staff_no)
        ).all()
        staff = [
            Actor(
                row.user_id,
                row.name,
                frozenset(roles.get(row.user_id, ())),
                row.id,
                row.department_id,
                row.window_id,
                row.center_id,
            )
            for row in rows
        ]
        cast = cls(accounts, staff, {row.id: row.position for row in rows})
        for actor in staff:
            if cast.positions[actor.staff_id] is StaffPosition.chief_rep:
                cast.chiefs.setdefault(actor.department_id, actor)
        return cast

    def heads(self) -> dict[int, Actor]:
        """Center id -> the head of that township center or sub-center (duty center_head)."""
        return {actor.center_id: actor for actor in self.staff if actor.roles & ROLE_DUTIES["center_head"]}

    def acting(self, session, actor: Actor) -> Actor:
        """Attribute the session's next writes (the audit log) to `actor`, and return it."""
        audit.set_actor(session, actor.user_id, actor.name)
        return actor
