"""Import of the matter catalogue (政务服务事项目录) from the province's .xlsx form.

One row per matter; the required materials sit in one cell, one per line, each
optionally followed by a spec such as （原件1份，复印件2份）; the procedure sits
in one cell as 受理(1)→审查(3)→决定(1). Every problem becomes a row-level error
in Chinese; a run with any error writes nothing.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
import xlsxwriter
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.fields.matter import MATTER_FIELDS
from app.models.matter import MaterialForm, Matter, MatterMaterial, MatterStep
from app.models.org import CenterLevel, Department
from app.services import matter_levels
from app.services.catalogue import PromisedRule, fee_errors, limit_errors, urgent_limit_errors
from app.services.import_rows import FileRefused, Limits, ProblemList, RowError, read_xlsx_rows
from app.services.phone import InvalidPhone, checked_phone


@dataclass(frozen=True)
class Column:
    """One column of the workbook, from the matter's field registry (app/fields/matter.py)."""

    header: str
    field: str
    required: bool
    default: object
    examples: tuple


def _default(name, declared):
    """An empty optional cell takes the registry's default, else the model column's own."""
    column = Matter.__table__.c.get(name)
    if declared is not None or column is None or column.default is None or not column.default.is_scalar:
        return declared
    return column.default.arg


COLUMNS = tuple(
    Column(f.imports.header, f.name, f.imports.required, _default(f.name, f.imports.default), f.imports.examples)
    for f in MATTER_FIELDS.imported()
)
YES, NO = {"是", "y", "yes", "1", "true", "√"}, {"否", "n", "no", "0", "false", ""}

IN_CHUNK = 5000
_MATERIAL = re.compile(r"^(?P<name>.+?)\s*(?:[（(](?P<spec>[^）)]*)[）)])?$")
_STEP = re.compile(r"^(?P<name>.+?)\s*(?:[（(](?P<days>[^）)]*)[）)])?$")


@dataclass
class ImportReport:
    dry_run: bool
    created: int = 0
    updated: int = 0
    errors: ProblemList = field(default_factory=ProblemList)
    warnings: ProblemList = field(default_factory=ProblemList)

    @property
    def ok(self) -> bool:
        return not self.errors


def _whole_number(value):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise ValueError


def _money(value):
    try:
        return Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValueError from None


def parse_materials(text):
    """[(name, form, originals, copies, required, tolerable)] from the materials cell; raises ValueError
    on a bad spec. 选填/非必需: not required; 容缺: required, but may be missing at acceptance (容缺受理)."""
    items = []
    for raw in re.split(r"[\n；;]+", text or ""):
        raw = raw.strip().lstrip("0123456789.、 ")
        if not raw:
            continue
        match = _MATERIAL.match(raw)
        name, spec = match["name"].strip(), match["spec"] or ""
        originals = copies = None
        electronic, required, tolerable = False, True, False
        for token in filter(None, (t.strip() for t in re.split(r"[，,、\s]+", spec))):
            if m := re.fullmatch(r"原件(\d+)份?", token):
                originals = int(m[1])
            elif m := re.fullmatch(r"复印件(\d+)份?", token):
                copies = int(m[1])
            elif token in ("电子", "电子版"):
                electronic = True
            elif token in ("选填", "非必需"):
                required = False
            elif token in ("容缺", "可容缺"):
                tolerable = True
            else:
                raise ValueError(token)
        if electronic:
            form = MaterialForm.electronic
        elif originals and not copies:
            form = MaterialForm.original
        elif copies and not originals:
            form = MaterialForm.copy
        else:
            form = MaterialForm.original_and_copy
        if originals is None and copies is None and not electronic:
            originals = copies = 1
        items.append((name, form, originals or 0, copies or 0, required, tolerable))
    return items


def parse_steps(text):
    """[(name, days)] from the procedure cell; raises ValueError on a bad day count."""
    steps = []
    for raw in re.split(r"→|->|＞|>|\n", text or ""):
        raw = raw.strip()
        if raw:
            match = _STEP.match(raw)
            steps.append((match["name"].strip(), _whole_number(match["days"]) if match["days"] else 0))
    return steps


class _RowReader:
    """Validates one row into plain values, collecting errors instead of raising."""

    def __init__(self, number, cells, positions, departments, report):
        self.number, self.cells, self.positions = number, cells, positions
        self.departments, self.report = departments, report
        self.values = {}

    def cell(self, column: Column):
        index = self.positions.get(column.header)
        value = self.cells[index] if index is not None and index < len(self.cells) else None
        return value.strip() if isinstance(value, str) else value

    def error(self, column: Column, message):
        self.report.errors.append(RowError(self.number, column.header, message))

    def read(self):
        for column in COLUMNS:
            value = self.cell(column)
            if value in (None, ""):
                if column.required:
                    self.error(column, _l("This cell is required."))
                continue
            self._convert(column, value)
        return self.values

    def _convert(self, column, value):
        # The cell is read by what the model stores: the relations by name, the rest by type.
        name = column.field
        kind = Matter.__table__.c[name].type if name in Matter.__table__.c else None
        if isinstance(kind, sa.Enum):
            member = kind.enum_class.from_label(str(value))
            if member is None:
                choices = "、".join(str(m.value) for m in kind.enum_class)
                self.error(
                    column, _l("Unknown value “%(value)s”; use one of: %(choices)s", value=value, choices=choices)
                )
            self.values[name] = member
        elif name == "department":
            department = self.departments.get(str(value))
            if department is None:
                self.error(column, _l("Unknown department: %(name)s", name=value))
            self.values[name] = department
        elif isinstance(kind, sa.Integer):
            try:
                self.values[name] = _whole_number(value)
            except ValueError:
                self.error(column, _l("Enter a whole number of working days."))
        elif isinstance(kind, sa.Numeric):
            try:
                self.values[name] = _money(value)
            except ValueError:
                self.error(column, _l("Enter an amount in yuan."))
        elif isinstance(kind, sa.Boolean):
            text = str(value).strip().lower()
            if text not in YES | NO:
                self.error(column, _l("Enter 是 or 否."))
            self.values[name] = text in YES
        elif name == "materials":
            try:
                self.values[name] = parse_materials(str(value))
            except ValueError as exc:
                self.error(
                    column, _l("Cannot read the material spec “%(spec)s”.", spec=exc.args[0] if exc.args else "")
                )
        elif name == "steps":
            try:
                self.values[name] = parse_steps(str(value))
            except ValueError:
                self.error(column, _l("Step days must be whole numbers, e.g. 受理(1)→审查(3)."))
        elif name == "phone":
            try:
                self.values[name] = checked_phone(str(value))
            except InvalidPhone as exc:
                self.error(column, str(exc))
        else:
            text = str(value)
            limit = Matter.__table__.c[name].type.length
            if limit and len(text) > limit:
                self.error(column, _l("Too long: at most %(limit)s characters.", limit=limit))
            self.values[name] = text


def _department_index(session):
    index = {}
    for department in session.scalars(sa.select(Department)):
        for key in (department.name, department.short_name, department.code):
            if key:
                index.setdefault(key, department)
    return index


def _check_rules(values, number, report, rule: PromisedRule):
    by_header = {c.field: c.header for c in COLUMNS}
    legal, promised = values.get("legal_limit_days"), values.get("promised_limit_days")
    if legal is not None and promised is not None:
        for message in limit_errors(legal, promised):
            report.errors.append(RowError(number, by_header["promised_limit_days"], message))
        # The catalogue's promised-limit rule (services/catalogue.py): a warning, or an error in refuse mode.
        errors, warnings = rule.check(legal, promised)
        for message in errors:
            report.errors.append(RowError(number, by_header["promised_limit_days"], message))
        for message in warnings:
            report.warnings.append(RowError(number, by_header["promised_limit_days"], message))
        step_days = sum(days for _, days in values.get("steps") or [])
        if step_days > promised:
            report.errors.append(
                RowError(
                    number,
                    by_header["steps"],
                    str(_l("The steps add up to %(days)s working days, more than the promised limit.", days=step_days)),
                )
            )
    for message in urgent_limit_errors(promised, values.get("urgent_limit_days")):
        report.errors.append(RowError(number, by_header["urgent_limit_days"], message))
    for message in fee_errors(values.get("fee_standard", Decimal("0")), values.get("fee_max")):
        report.errors.append(RowError(number, by_header["fee_max"], message))
    derived = matter_levels.levels_for(values.get("handling_level") or CenterLevel.county, values.get("category"))
    received = {column: values.get(column, derived[column]) for column in matter_levels.RECEIVED_AT.values()}
    for message in matter_levels.level_errors(received):
        report.errors.append(RowError(number, by_header["received_at_county"], message))


def import_matters(session: Session, source, *, dry_run: bool) -> ImportReport:
    """Validate the workbook and, unless dry_run or anything is wrong, write it (caller commits).

    The province's workbook is Chinese, so labels are matched (and messages
    written) in zh whatever language the uploading user has chosen.
    """
    with force_locale("zh"):
        return _import(session, source, dry_run)


def _import(session, source, dry_run):
    report = ImportReport(dry_run=dry_run)
    try:
        parsed = _parse(session, source, report)
    except FileRefused as exc:
        report.errors, report.warnings = ProblemList(RowError(None, "", str(exc))), ProblemList()
        return report
    if parsed is None:
        return report
    existing = _existing(session, [v["code"] for v in parsed if v.get("code")])
    if not parsed and not report.errors:
        report.errors.append(RowError(None, "", str(_l("The workbook has no data rows."))))
    report.created = sum(1 for v in parsed if v.get("code") not in existing)
    report.updated = len(parsed) - report.created
    if report.ok and not dry_run:
        with session.begin_nested():
            for values in parsed:
                _apply(session, existing.get(values["code"]), values)
            session.flush()
    return report


def _parse(session, source, report):
    """The rows' values, reading the sheet as a stream; None when the columns are wrong."""
    positions, body = read_xlsx_rows(source, Limits.from_settings(session, "matter_import_max_rows"))
    missing = [c.header for c in COLUMNS if c.required and c.header not in positions]
    if missing:
        report.errors.append(RowError(None, "", str(_l("Missing columns: %(columns)s", columns="、".join(missing)))))
        return None
    departments = _department_index(session)
    rule = PromisedRule.load(session)
    first_seen, parsed = {}, []
    for number, cells in body:
        values = _RowReader(number, cells, positions, departments, report).read()
        _check_rules(values, number, report, rule)
        code = values.get("code")
        if code in first_seen:
            report.errors.append(
                RowError(
                    number,
                    "事项编码",
                    str(_l("Code %(code)s already appears in row %(row)s.", code=code, row=first_seen[code])),
                )
            )
        elif code:
            first_seen[code] = number
        parsed.append(values)
    return parsed


def _existing(session, codes):
    """The catalogue's matters with these codes, asked in chunks: one IN list of a 70k-row file
    passed PostgreSQL's limit of 65,535 bound parameters."""
    found = {}
    for start in range(0, len(codes), IN_CHUNK):
        chunk = codes[start : start + IN_CHUNK]
        found.update((m.code, m) for m in session.scalars(sa.select(Matter).where(Matter.code.in_(chunk))))
    return found


def _apply(session, matter, values):
    if matter is None:
        matter = Matter(code=values["code"])
        session.add(matter)
    # Empty level cells follow the row's handling level, as the catalogue was seeded.
    derived = matter_levels.levels_for(values.get("handling_level") or CenterLevel.county, values.get("category"))
    for column in COLUMNS:
        if column.field not in ("code", "materials", "steps"):
            setattr(matter, column.field, values.get(column.field, derived.get(column.field, column.default)))
    if matter.id is not None:
        # Old steps go first: the new ones reuse their (matter, seq) numbers.
        matter.materials, matter.steps = [], []
        session.flush()
    matter.materials = [
        MatterMaterial(
            name=name,
            form=form,
            original_count=originals,
            copy_count=copies,
            required=required,
            tolerable=tolerable,
            sort_order=position,
        )
        for position, (name, form, originals, copies, required, tolerable) in enumerate(
            values.get("materials") or [], 1
        )
    ]
    matter.steps = [
        MatterStep(seq=seq, name=name, limit_days=days) for seq, (name, days) in enumerate(values.get("steps") or [], 1)
    ]


def examples() -> list[dict]:
    """The template's example rows, each keyed by header."""
    count = max(len(c.examples) for c in COLUMNS)
    return [{c.header: c.examples[row] for c in COLUMNS if row < len(c.examples)} for row in range(count)]


def build_template(target) -> None:
    """An .xlsx template with the header row and the registry's example rows."""
    workbook = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "in_memory": True})
    sheet = workbook.add_worksheet("事项目录")
    required = workbook.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1})
    optional = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for col, column in enumerate(COLUMNS):
        sheet.write_string(
            0, col, column.header + ("*" if column.required else ""), required if column.required else optional
        )
        sheet.set_column(col, col, 36 if column.field in ("materials", "steps", "legal_basis") else 16)
    for row, example in enumerate(examples(), start=1):
        for col, column in enumerate(COLUMNS):
            sheet.write(row, col, example.get(column.header, ""), wrap)
    sheet.freeze_panes(1, 0)
    workbook.close()
