"""Row scope: which rows a user may see, decided from roles and the Staff record.

Pure: the caller passes role names and the user's Staff facts; views, APIs,
exports and actions all turn the result into one SQL clause per model
(`Model.scope_clause(scope)`), so they can never disagree.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import MANYTOONE

from app.models.org import Staff


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    department_id: int | None = None
    staff_id: int | None = None
    # Window staff see their department's cases but only their own personal records.
    own_records_only: bool = False
    # A window leader (窗口负责人) approves the department's short leave.
    leads_window: bool = False

    def clause(self, model):
        """SQL condition limiting `model` to this scope."""
        if self.everything:
            return sa.true()
        if self.department_id is None or not hasattr(model, "scope_clause"):
            # No Staff record, or a model without a department: nothing.
            return sa.false()
        return model.scope_clause(self)

    def row_clause(self, model):
        """SQL condition for fetching single rows: models may see more one at a time than
        in lists (a co-department opens a joint case it has a task in)."""
        if self.everything or self.department_id is None or not hasattr(model, "visible_clause"):
            return self.clause(model)
        return model.visible_clause(self)

    def login_clause(self, user_model):
        """SQL condition on FAB's logins (`user_model`) this scope may pick for a staff record:
        those of the staff it sees. A login has no department, and linking one to a staff
        record hands it that department's rows: a department user keeps or clears its own
        staff's links, never takes over another login (the administrator, who creates
        logins, links new ones)."""
        if self.everything:
            return sa.true()
        return user_model.id.in_(sa.select(Staff.user_id).where(self.clause(Staff)))

    def changeable(self, model):
        """SQL condition narrowing the rows the actor sees to those it may change: a model may
        let a department see more than it changes (`write_clause`: a member department sees a
        comprehensive window it co-uses, only the window's own department changes it)."""
        if self.everything or not hasattr(model, "write_clause"):
            return sa.true()
        if self.department_id is None:
            return sa.false()
        return model.write_clause(self)

    def write_clause(self, model):
        """SQL condition a row must meet once the actor has written it: in scope, changeable,
        and every row it refers to one the actor may see (a form offers only those; an API
        body may name any id)."""
        if self.everything:
            return sa.true()
        return sa.and_(self.clause(model), self.changeable(model), self.references_clause(model))

    def references_clause(self, model):
        """SQL condition: each many-to-one reference of `model` to a scoped model is empty or
        a row the actor may see."""
        conditions = []
        for relation in sa.inspect(model).relationships:
            target = relation.mapper.class_
            if relation.direction is not MANYTOONE or not hasattr(target, "scope_clause"):
                continue
            for column in relation.local_columns:
                key = sa.inspect(model).get_property_by_column(column).class_attribute
                visible = sa.select(target.id).where(self.row_clause(target))
                conditions.append(sa.or_(key.is_(None), key.in_(visible)))
        return sa.and_(sa.true(), *conditions)


def unseen(session, scope: Scope, rows) -> list:
    """Those of `rows` (of one model) the scope does not see: a many-to-many picker offers
    only the rows in scope, so saving it must keep these."""
    if scope.everything or not rows:
        return []
    model = type(rows[0])
    ids = [row.id for row in rows]
    seen = set(session.scalars(sa.select(model.id).where(model.id.in_(ids), scope.row_clause(model))))
    return [row for row in rows if row.id not in seen]


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def scope_for(
    role_names, global_roles, staff_department_id=None, staff_id=None, *, active=True, position=None
) -> Scope:
    """Scope of a user with `role_names`; department roles need an active Staff record."""
    names = set(role_names)
    if names & set(global_roles):
        return EVERYTHING
    if staff_department_id is None or not active:
        return NOTHING
    return Scope(
        department_id=staff_department_id,
        staff_id=staff_id,
        own_records_only=names.isdisjoint({"ChiefRep"}),
        leads_window=position == "leader",
    )
