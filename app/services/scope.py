"""Row scope: which rows a user may see, decided from roles and the Staff record.

Pure: the caller passes role names, the role → scope kind table (config.ROLE_SCOPES) and the
user's Staff record; views, APIs, exports and actions all turn the result into one SQL clause
per model, derived from the model's `__scope__` declaration (app/models/scoping.py), so they
can never disagree. The kinds are described in the README, "Scope kinds".
"""

import enum
from dataclasses import dataclass
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import MANYTOONE

from app.models.org import Staff, StaffPosition, StaffStatus
from app.services import centers


class Kind(enum.StrEnum):
    # Widest first: a user with several roles gets the widest of their kinds.
    everything = "everything"  # every row of the county
    center = "center"  # rows of the user's center and of the centers below it
    # The center's rows as `center`, but of personal records only the user's own (a township's
    # staff and its village agents do not read each other's leave or scores).
    center_own = "center_own"
    department = "department"  # rows of the user's department
    own = "own"  # the department's rows, but of personal records only the user's own


@dataclass(frozen=True)
class Scope:
    # None: no rows at all (no kind among the roles, or no active Staff record).
    kind: Kind | None = Kind.department
    center_id: int | None = None
    department_id: int | None = None
    staff_id: int | None = None
    # A window leader (窗口负责人) approves the department's short leave.
    leads_window: bool = False

    @property
    def everything(self) -> bool:
        return self.kind is Kind.everything

    @property
    def spans_departments(self) -> bool:
        """Whether the scope holds several departments' rows (a department filter makes sense)."""
        return self.kind in (Kind.everything, Kind.center, Kind.center_own)

    @cached_property
    def _centers(self):
        # One subtree per scope: a clause naming it twice (several center paths) shares the CTE.
        return centers.subtree(self.center_id)

    @cached_property
    def _above(self):
        return centers.ancestry(self.center_id)

    def clause(self, model):
        """SQL condition limiting `model` to this scope (the rows its lists show)."""
        if self.everything:
            return sa.true()
        rules = getattr(model, "__scope__", None)
        if self.kind is None or rules is None:
            return sa.false()
        return self._declared(model, rules)

    def row_clause(self, model):
        """SQL condition for fetching single rows: models may open more one at a time than
        their lists show (a co-department opens a joint case it has a task in)."""
        rules = getattr(model, "__scope__", None)
        if self.everything or self.kind is None or rules is None or rules.also_opens is None:
            return self.clause(model)
        return sa.or_(self._declared(model, rules), self._declared(model, rules.also_opens))

    def _declared(self, model, rules):
        """The rows of `model` its declaration `rules` puts in this scope (a kind short of everything)."""
        if rules.public:
            return sa.true()
        if self.kind is Kind.center_own and rules.owner:
            return self._match(model, rules.owners, self.staff_id)
        if self.kind in (Kind.center, Kind.center_own):
            below = self._match(
                model, rules.center, self.center_id, lambda column: centers.InCenters(column, self._centers)
            )
            if not rules.center_above:
                return below
            above = self._match(
                model, rules.center_above, self.center_id, lambda column: centers.InCenters(column, self._above)
            )
            return sa.or_(below, above)
        if self.kind is Kind.own and rules.owner and not (rules.leader_sees_department and self.leads_window):
            return self._match(model, rules.owners, self.staff_id)
        department = self._match(model, rules.department, self.department_id)
        if not rules.department_at_center or self.department_id is None:
            return department
        served = self._match(model, rules.department_at_center, self.department_id)
        return sa.or_(department, sa.and_(self._match(model, rules.center, self.center_id), served))

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
        let a department see more than it changes (`changed_by`: a member department sees a
        comprehensive window it co-uses, only the window's own department changes it)."""
        rules = getattr(model, "__scope__", None)
        if self.kind in (Kind.center, Kind.center_own) and rules is not None and rules.center_above:
            # The catalogue above is read, never changed, from below.
            return self._match(
                model, rules.center, self.center_id, lambda column: centers.InCenters(column, self._centers)
            )
        if self.kind in (Kind.everything, Kind.center, Kind.center_own) or rules is None or not rules.changed_by:
            return sa.true()
        return self._match(model, rules.changed_by, self.department_id)

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
            rules = getattr(target, "__scope__", None)
            if relation.direction is not MANYTOONE or rules is None or not rules.scoped:
                continue
            for column in relation.local_columns:
                key = sa.inspect(model).get_property_by_column(column).class_attribute
                visible = sa.select(target.id).where(self.row_clause(target))
                conditions.append(sa.or_(key.is_(None), key.in_(visible)))
        return sa.and_(sa.true(), *conditions)

    @staticmethod
    def _match(model, paths, anchor, test=None):
        """Rows of `model` one of whose `paths` leads to `anchor` (or passes `test`)."""
        if anchor is None or not paths:
            return sa.false()
        test = test or (lambda column: column == anchor)
        return sa.or_(*(_along(model, path.split("."), test) for path in paths))


def _along(model, names, test):
    """The condition `test` on the column at the end of attribute path `names` from `model`."""
    attribute = getattr(model, names[0])
    if len(names) == 1:
        return test(attribute)
    relation = attribute.property
    inner = _along(relation.mapper.class_, names[1:], test)
    if relation.uselist:
        return attribute.any(inner)
    # Many-to-one: the foreign key among the target's ids, one index lookup per row.
    [column] = relation.local_columns
    key = sa.inspect(model).get_property_by_column(column).class_attribute
    return key.in_(sa.select(relation.mapper.class_.id).where(inner))


def unseen(session, scope: Scope, rows) -> list:
    """Those of `rows` (of one model) the scope does not see: a many-to-many picker offers
    only the rows in scope, so saving it must keep these."""
    if scope.everything or not rows:
        return []
    model = type(rows[0])
    ids = [row.id for row in rows]
    seen = set(session.scalars(sa.select(model.id).where(model.id.in_(ids), scope.row_clause(model))))
    return [row for row in rows if row.id not in seen]


NOTHING = Scope(kind=None)
EVERYTHING = Scope(kind=Kind.everything)


def kind_for(role_names, role_scopes) -> Kind | None:
    """The widest scope kind `role_scopes` gives any of `role_names`; None: no rows at all."""
    kinds = {Kind(role_scopes[name]) for name in role_names if name in role_scopes}
    return next((kind for kind in Kind if kind in kinds), None)


def scope_for(role_names, role_scopes, staff=None) -> Scope:
    """Scope of a user with `role_names` and Staff record `staff` (None: none). Every kind
    short of everything is anchored in an active Staff record: its center, department and id."""
    kind = kind_for(role_names, role_scopes)
    if kind is Kind.everything:
        return EVERYTHING
    if kind is None or staff is None or staff.status is not StaffStatus.active:
        return NOTHING
    return Scope(
        kind=kind,
        center_id=staff.center_id,
        department_id=staff.department_id,
        staff_id=staff.id,
        leads_window=staff.position is StaffPosition.leader,
    )
