"""The demo county's network: centers, departments, windows and staff with their logins.

The county is the files in data/ (centers.csv, departments.csv, windows.csv, accounts.csv,
staff_roles.csv, people.json); staff are planned from the windows (one chief representative per department,
A posts, B posts where departments.csv says so, leaders, clerks) and named by a seeded
generator, so one seed always gives the same county.
"""

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User

from app.models.matter import Matter
from app.models.org import Center, CenterLevel, Department, Staff, StaffPosition, Window, WindowKind
from app.services.demo import data, network, resume
from app.services.demo.catalogue import generate_matters
from config import ROLE_SCOPES

# Seniority is counted from a fixed day, not the clock: a seed gives the same county in any year.
AS_OF = date(2026, 11, 1)

CENTERS = data.table("centers.csv")
DEPARTMENTS = data.table("departments.csv")
WINDOWS = data.table("windows.csv")
# Busy departments keep a full-time B post besides their A posts; elsewhere the chief rep doubles as B post.
B_POST_DEPARTMENTS = {row["short_name"] for row in DEPARTMENTS if row["b_post"] == "1"}
LEADER_DEPARTMENTS = {row["short_name"] for row in DEPARTMENTS if row["leader"] == "1"}

_PEOPLE = data.document("people.json")
SURNAMES, GIVEN_TWO, GIVEN_ONE = _PEOPLE["surnames"], _PEOPLE["given_names_two"], _PEOPLE["given_names_one"]
MOBILE_PREFIXES = _PEOPLE["mobile_prefixes"]

# Accounts that are not window staff: (username, role, surname, given name).
DEMO_ACCOUNTS = [
    (row["username"], row["role"], row["surname"], row["given_name"]) for row in data.table("accounts.csv")
]
# The login role of each staff position.
STAFF_ROLES = {row["position"]: row["role"] for row in data.table("staff_roles.csv")}


@dataclass
class DemoSummary:
    centers: int
    departments: int
    windows: int
    staff: int
    matters: int
    created: bool
    logins: dict[str, str] = field(default_factory=dict)  # role name -> example username


def seed_demo(session, *, password_hash: str, roles: dict, progress=None, seed: int = 2026) -> DemoSummary:
    """Create the demo county unless its center exists; the caller commits.

    `roles` maps role names to FAB `Role` rows; every login gets the one
    `password_hash` (hashing 110 passwords with scrypt would take seconds).
    """
    report = progress or (lambda step, done, total: None)
    created = session.scalar(sa.select(Center.id).where(Center.code == data.COUNTY_CODE)) is None
    if created:
        _build(session, seed=seed, password_hash=password_hash, roles=roles, report=report)
    counts = {
        name: session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in (
            ("centers", Center),
            ("departments", Department),
            ("windows", Window),
            ("staff", Staff),
            ("matters", Matter),
        )
    }
    return DemoSummary(**counts, created=created, logins=_logins(session))


def _build(session, *, seed, password_hash, roles, report):
    centers = build_centers()
    session.add_all(centers)
    report("服务中心", len(centers), len(centers))
    departments = build_departments(centers)
    session.add_all(departments)
    report("进驻部门", len(departments), len(departments))
    windows = build_windows(centers, departments)
    session.add_all(windows)
    session.flush()
    report("窗口", len(windows), len(windows))
    # Separate streams, so that changing the staff tables leaves the matter catalogue as it was.
    # A login left behind by an earlier, deleted demo county is linked again rather than duplicated.
    existing = {u.username: u for u in session.scalars(sa.select(User).where(User.username.like("s%")))}
    staff = build_staff(random.Random(f"{seed}:staff"), departments, windows, password_hash, roles, report)
    for person in staff:
        person.user = existing.get(person.user.username, person.user)
    resume.describe(staff, AS_OF, seed)
    session.add_all(staff)
    session.add_all(_missing_accounts(session, password_hash, roles))
    session.flush()
    resume.record(session, staff, AS_OF, seed)  # part of the staff step: a few hundred rows
    network.build_network(session, seed=seed, password_hash=password_hash, roles=roles, report=report)
    matters = generate_matters(random.Random(f"{seed}:matters"), departments, places=_places(windows), report=report)
    session.add_all(matters)
    session.flush()


def build_centers() -> list[Center]:
    """The county center (centers.csv's first row) and its network: sub-centers and townships
    under it, villages under townships, in file order."""
    by_code = {}
    for row in CENTERS:
        by_code[row["code"]] = Center(
            code=row["code"],
            name=row["name"],
            level=CenterLevel[row["level"]],
            parent=by_code[row["parent"]] if row["parent"] else None,
            address=row["address"],
            phone=row["phone"],
            sort_order=int(row["sort_order"]),
        )
    return list(by_code.values())


def build_departments(centers: list[Center]) -> list[Department]:
    by_code = {center.code: center for center in centers}
    return [
        Department(
            code=row["code"],
            name=row["name"],
            short_name=row["short_name"],
            center=by_code[row["center"]],
            phone=row["phone"],
            sort_order=int(row["sort_order"]),
        )
        for row in DEPARTMENTS
    ]


def build_windows(centers: list[Center], departments: list[Department]) -> list[Window]:
    """Dedicated windows (a department's own), comprehensive ones (members served at one counter)
    and the green-channel and delivery windows. Departments are named by short name."""
    by_code = {center.code: center for center in centers}
    by_short = {department.short_name: department for department in departments}
    return [
        Window(
            code=row["code"],
            name=row["name"],
            kind=WindowKind[row["kind"]],
            center=by_code[row["center"]],
            department=by_short[row["department"]] if row["department"] else None,
            member_departments=[by_short[short] for short in (row["members"] or "").split()],
            note=row["note"],
        )
        for row in WINDOWS
    ]


def build_staff(rng, departments, windows, password_hash, roles, report) -> list[Staff]:
    """Window staff with their logins: one chief rep per department, A posts, a few B posts, leaders and clerks."""
    own, serving = {}, {}
    for window in windows:
        if window.kind is WindowKind.dedicated:
            own.setdefault(window.department.short_name, []).append(window)
        for member in window.member_departments:
            serving[member.short_name] = window
    extra = {}
    for window in windows:
        if window.kind is not WindowKind.dedicated and window.department is not None:
            position = StaffPosition.clerk if window.kind is WindowKind.delivery else StaffPosition.a_post
            extra.setdefault(window.department.short_name, []).append((window, position))

    plan = []  # (department, window, position), in staff number order
    for department in departments:
        short = department.short_name
        counters = own.get(short, [])
        # As in most county halls, the chief rep staffs the first window and doubles as its B post.
        plan.append((department, counters[0] if counters else serving.get(short), StaffPosition.chief_rep))
        if short in B_POST_DEPARTMENTS and len(counters) > 1:
            plan.append((department, counters[1], StaffPosition.b_post))
        plan += [(department, window, StaffPosition.a_post) for window in counters[1:]]
        plan += [(department, window, position) for window, position in extra.get(short, [])]
        if short in LEADER_DEPARTMENTS:
            plan.append((department, None, StaffPosition.leader))

    names, phones = {f"{s}{g}" for _u, _r, s, g in DEMO_ACCOUNTS}, set()
    staff = []
    for number, (department, window, position) in enumerate(plan, 1):
        surname, given = _person_name(rng, names)
        username = f"s{number:04d}"
        role = roles.get(STAFF_ROLES[position.name])
        user = _login(username, surname, given, password_hash, role)
        # Chief reps are middle managers (the seeds require it): they have been around longer.
        seniority = rng.randint(3 * 365, 8 * 365) if position is StaffPosition.chief_rep else rng.randint(30, 8 * 365)
        staff.append(
            Staff(
                staff_no=f"S{number:04d}",
                name=surname + given,
                phone=_mobile(rng, phones),
                department=department,
                # A window's staff sit at its center (a sub-center's counters), the rest at the department's.
                center=window.center if window is not None else department.center,
                window=window,
                position=position,
                user=user,
                joined_on=AS_OF - timedelta(days=seniority),
            )
        )
        if number % 20 == 0:
            report("工作人员", number, len(plan))
    report("工作人员", len(plan), len(plan))
    return staff


def _missing_accounts(session, password_hash, roles) -> list[User]:
    taken = set(session.scalars(sa.select(User.username).where(User.username.in_([a[0] for a in DEMO_ACCOUNTS]))))
    return [
        _login(username, surname, given, password_hash, roles.get(role))
        for username, role, surname, given in DEMO_ACCOUNTS
        if username not in taken
    ]


def _login(username, surname, given, password_hash, role) -> User:
    """A demo login: every one has the one password hash, and its role where the database has it."""
    return User(
        username=username,
        first_name=given,
        last_name=surname,
        email=f"{username}@demo.gov.cn",
        active=True,
        password=password_hash,
        roles=[role] if role is not None else [],
    )


def _person_name(rng, taken: set[str]) -> tuple[str, str]:
    # Common surnames are far more frequent; names stay unique so lists and pickers are unambiguous.
    weights = [1 / (rank + 6) for rank in range(len(SURNAMES))]
    while True:
        surname = rng.choices(SURNAMES, weights)[0]
        given = rng.choice(GIVEN_TWO) if rng.random() < 0.7 else rng.choice(GIVEN_ONE)
        if surname + given not in taken:
            taken.add(surname + given)
            return surname, given


def _mobile(rng, taken: set[str]) -> str:
    while True:
        phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 10**8 - 1):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def _places(windows: list[Window]) -> dict[str, str]:
    """Where each department's matters are handled, as service guides print it."""
    dedicated: dict[str, dict[str, list[str]]] = {}
    places = {}
    for window in windows:
        if window.kind is WindowKind.dedicated:
            by_center = dedicated.setdefault(window.department.short_name, {})
            by_center.setdefault(window.center.name, []).append(window.code)
        elif window.kind is WindowKind.comprehensive:
            for member in window.member_departments:
                places[member.short_name] = f"{window.center.name}{window.code}{window.name}"
    for short, by_center in dedicated.items():
        places[short] = "；".join(
            f"{center}{codes[0]}{'' if len(codes) == 1 else '–' + codes[-1]}号窗口"
            for center, codes in by_center.items()
        )
    return places


def _logins(session) -> dict[str, str]:
    """One username per role to print after seeding: the demo account where it exists."""
    preferred = {role: username for username, role, *_names in DEMO_ACCOUNTS}
    found: dict[str, list[str]] = {}
    rows = session.execute(
        sa.select(Role.name, User.username)
        .select_from(User)
        .join(User.roles)
        .where(Role.name.in_(ROLE_SCOPES), User.active.is_(True))
        .order_by(User.username)
    )
    for role, username in rows:
        found.setdefault(role, []).append(username)
    logins = {}
    for role in ROLE_SCOPES:
        usernames = found.get(role, [])
        if usernames:
            staff_like = [u for u in usernames if re.fullmatch(r"s\d{4}", u)]
            logins[role] = preferred.get(role) if preferred.get(role) in usernames else (staff_like or usernames)[0]
    return logins
