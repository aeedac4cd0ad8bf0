"""The demo county's matter catalogue: each department's matters with their category, kind,
limits, legal basis, fees, materials and steps.

The names, rules and tables are in data/ (matters.csv one catalogue entry a row, "X（a/b/c）"
expanding to one matter per sub-item as provincial catalogues list them; category_rules.csv,
case_kinds.csv, legal_bases.csv, fees.csv, materials.csv, catalogue.json); what is not fixed by
them is drawn from the caller's seeded generator, so one seed gives one catalogue.
"""

import re
import zlib
from decimal import Decimal

from app.models.matter import CaseKind, MaterialForm, Matter, MatterCategory, MatterMaterial, MatterStep
from app.models.org import CenterLevel, StaffPosition
from app.services import matter_levels
from app.services.demo import data

_RULES = data.document("catalogue.json")
# Department short name -> its catalogue entries, in catalogue order.
MATTERS = data.grouped("matters.csv", "department", "name")
# For a department matters.csv does not know (a county adding its own).
GENERIC_MATTERS = _RULES["generic_matters"]

# First matching rule wins: the order settles names such as 参保登记 (a service, not a confirmation).
CATEGORY_RULES = [(MatterCategory[row["category"]], row["words"]) for row in data.table("category_rules.csv")]
# Queries, prints and certificates are handled on the spot everywhere.
IMMEDIATE_WORDS = _RULES["immediate_words"]
JOINT_WORDS = _RULES["joint_words"]
KINDS = (CaseKind.immediate, CaseKind.promised, CaseKind.joint, CaseKind.escalated)
# Kind weights by category: licences take time, services rarely do.
KIND_WEIGHTS = {
    MatterCategory[row["category"]]: tuple(int(row[kind.name]) for kind in KINDS)
    for row in data.table("case_kinds.csv")
}

# Legal basis per department: (words in the matter name, basis); "*" is the department's general basis.
# Department "*" holds the basis of a department with no general one.
LEGAL_BASES = data.grouped("legal_bases.csv", "department", "words", "basis")
DEFAULT_BASES = [basis for _words, basis in LEGAL_BASES.pop("*")]
CONDITIONS = {MatterCategory[category]: text for category, text in _RULES["conditions"].items()}

# Fees the law fixes for well-known matters: name fragment -> (standard, ceiling, basis).
KNOWN_FEES = [(row["name_contains"], row["standard"], row["ceiling"], row["basis"]) for row in data.table("fees.csv")]
# Housing 80 yuan per case, other property 550: one matter, two rates.
PROPERTY_FEE = tuple(_RULES["property_fee"][key] for key in ("standard", "ceiling", "basis"))
# Cancellations, corrections and objections are free; rural homesteads pay only the certificate.
PROPERTY_FEE_FREE = _RULES["property_fee_free"]

# Materials per department: (words in the matter name, material, form); "*" fits any matter of the
# department, department "*" serves a department with none. The application form and the
# applicant's ID are added to every matter.
MATERIALS = data.grouped("materials.csv", "department", "words", "material", "form")
DEFAULT_MATERIALS = MATERIALS.pop("*")
# Names that say the applicant is an organisation, so it shows a business licence rather than an ID card.
ORGANISATION_WORDS = _RULES["organisation_words"]


def expand_names(entries: list[str]) -> list[str]:
    """['食品经营许可（新办/变更）', '出生登记'] -> ['食品经营许可（新办）', '食品经营许可（变更）', '出生登记']."""
    names = []
    for entry in entries:
        match = re.fullmatch(r"(.*)（([^（）]+/[^（）]+)）(.*)", entry)
        if match:
            head, options, tail = match.groups()
            names += [f"{head}（{option}）{tail}" for option in options.split("/")]
        else:
            names.append(entry)
    return names


def generate_matters(rng, departments, *, places=None, report=None) -> list[Matter]:
    """The matter catalogue of `departments`, with materials and steps, in code order."""
    catalogues = [
        expand_names(
            MATTERS.get(d.short_name) or [entry.format(short=d.short_name or d.name) for entry in GENERIC_MATTERS]
        )
        for d in departments
    ]
    total, done = sum(map(len, catalogues)), 0
    matters = []
    for department, names in zip(departments, catalogues, strict=True):
        place = (places or {}).get(department.short_name) or data.COUNTY_NAME
        matters += [_matter(rng, department, name, number, place) for number, name in enumerate(names, 1)]
        done += len(names)
        if report:
            report("政务服务事项", done, total)
    return matters


def _matter(rng, department, name, number, place) -> Matter:
    short = department.short_name
    category = category_of(name)
    kind = _case_kind(rng, name, category)
    legal, promised = _limits(rng, kind, category)
    fee, fee_max, fee_basis = _fee(rng, name, short, category)
    # A few everyday services are also handled in township centers (办事不出乡).
    level = (
        CenterLevel.township
        if category is MatterCategory.public_service and kind is CaseKind.immediate and rng.random() < 0.25
        else CenterLevel.county
    )
    return Matter(
        code=f"{data.COUNTY_CODE}-{department.code}-{number:04d}",
        name=name,
        category=category,
        department=department,
        handling_level=level,
        # Where it is received and how a township handles it follow from its level.
        **matter_levels.levels_for(level, category),
        case_kind=kind,
        legal_basis=_legal_basis(rng, name, short),
        conditions=CONDITIONS.get(category),
        legal_limit_days=legal,
        promised_limit_days=promised,
        fee_standard=fee,
        fee_max=fee_max,
        fee_basis=fee_basis,
        online_available=rng.random() < 0.7,
        # A hash, not the generator: adding these did not shift the rest of the demo.
        stationed=zlib.crc32(name.encode()) % 100 < 93,
        window_authorized=zlib.crc32(name.encode()) % 97 < 78,
        place=place,
        phone=department.phone,
        materials=_materials(rng, name, short),
        steps=_steps(kind, category, promised),
    )


def category_of(name: str) -> MatterCategory:
    for category, words in CATEGORY_RULES:
        if any(word in name for word in words.split()):
            return category
    return MatterCategory.public_service


def _case_kind(rng, name, category) -> CaseKind:
    if any(word in name for word in JOINT_WORDS):
        return CaseKind.joint
    if any(word in name for word in IMMEDIATE_WORDS):
        return CaseKind.immediate
    return rng.choices(KINDS, KIND_WEIGHTS[category])[0]


def _limits(rng, kind, category) -> tuple[int, int]:
    """(legal, promised) working days; promises are at least 30% under the law, as the seeds require."""
    if kind is CaseKind.immediate:
        return rng.choice((0, 1, 3, 5)), 0
    if kind is CaseKind.joint:
        legal = rng.choice((20, 30, 45))  # 行政许可法 §26: joint handling up to 45 days
    elif kind is CaseKind.escalated:
        legal = rng.choice((20, 30))
    elif category is MatterCategory.licensing:
        legal = rng.choice((10, 15, 20, 20, 30))
    else:
        legal = rng.choice((10, 15, 20))
    return legal, max(1, legal * rng.choice((30, 40, 50, 60, 70)) // 100)


def _legal_basis(rng, name, short) -> str:
    """The laws whose subject the matter's name mentions, else the department's general basis."""
    entries = LEGAL_BASES.get(short, [])
    matched = [basis for words, basis in entries if words != "*" and any(w in name for w in words.split())]
    general = [basis for words, basis in entries if words == "*"] or DEFAULT_BASES
    return "；".join(matched[:2] or [rng.choice(general)])


def _fee(rng, name, short, category) -> tuple[Decimal, Decimal | None, str | None]:
    if short == "不动产" and "登记" in name and not any(word in name for word in PROPERTY_FEE_FREE):
        standard, ceiling, basis = PROPERTY_FEE
        return Decimal(standard), Decimal(ceiling), basis
    for fragment, standard, ceiling, basis in KNOWN_FEES:
        if fragment in name:
            return Decimal(standard), Decimal(ceiling) if ceiling else None, basis
    if category is MatterCategory.licensing and rng.random() < 0.08:
        standard = rng.choice((10, 20, 50))
        ceiling = Decimal(standard * 4) if rng.random() < 0.3 else None
        return Decimal(standard), ceiling, "省定行政事业性收费目录清单"
    return Decimal("0"), None, None


def _materials(rng, name, short) -> list[MatterMaterial]:
    if "身份证" in name:  # the card itself is what is being applied for
        subject = ("居民户口簿", "original_and_copy")
    elif any(word in name for word in ORGANISATION_WORDS):
        subject = ("营业执照", "copy")
    else:
        subject = ("居民身份证", "original_and_copy")
    table = MATERIALS.get(short, DEFAULT_MATERIALS)
    matched = [(m, form) for words, m, form in table if words != "*" and any(w in name for w in words.split())]
    matched = matched or [(m, form) for words, m, form in table if words == "*"]
    if len(matched) > 3:
        matched = [matched[i] for i in sorted(rng.sample(range(len(matched)), 3))]
    picked = [("申请表", "original"), subject] + [m for m in matched if m[0] != subject[0]]
    materials = [
        _material(m, form, k, required=True, copies=rng.choice((1, 1, 2))) for k, (m, form) in enumerate(picked, 1)
    ]
    if len(materials) >= 4:
        # 容缺受理: the last secondary material may be brought after acceptance, on commitment.
        materials[-1].tolerable = True
    if rng.random() < 0.5:
        materials.append(
            _material("授权委托书", "original", len(materials) + 1, required=False, note="委托他人代为办理的提供")
        )
    return materials


def _material(name, form, sort_order, *, required, copies=1, note=None) -> MatterMaterial:
    form = MaterialForm[form]
    return MatterMaterial(
        name=name,
        form=form,
        # An electronic material has no paper counts.
        original_count=1 if form in (MaterialForm.original, MaterialForm.original_and_copy) else 0,
        copy_count=copies if form in (MaterialForm.copy, MaterialForm.original_and_copy) else 0,
        required=required,
        note=note,
        sort_order=sort_order,
    )


def _steps(kind, category, promised) -> list[MatterStep]:
    # Handler positions (MatterStep.handler_position): the window's staff take a case in, review
    # it and hand the result out; a promised case's decision is the chief representative's (首席代表制).
    if kind is CaseKind.immediate:
        plan = [("受理", None, 0), ("审核", None, 0), ("办结", None, 0)]
    else:
        last = "送达" if category is MatterCategory.licensing else "办结"
        names = [("受理", None, 1), ("审查", None, 3), ("决定", StaffPosition.chief_rep, 2)]
        if promised >= 5:  # a delivery step of its own only when the promise leaves room for it
            names.append((last, None, 1))
        days = split_days(promised, [weight for *_n, weight in names])
        plan = [(n, handler, d) for (n, handler, _w), d in zip(names, days, strict=True)]
    return [
        MatterStep(seq=seq, name=name, handler_position=handler, limit_days=days)
        for seq, (name, handler, days) in enumerate(plan, 1)
    ]


def split_days(days: int, weights: list[int]) -> list[int]:
    """Share `days` by weight (largest remainder): the parts add up to `days` exactly."""
    total = sum(weights)
    shares = [days * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(days * weights[i] % total), -weights[i], i))
    for i in remainders[: days - sum(shares)]:
        shares[i] += 1
    return shares
