"""Matter catalogue import: dry run, all-or-nothing writes, row-level errors."""

import io

import openpyxl
import pytest
import sqlalchemy as sa

from app.models import MaterialForm, Matter, MatterCategory
from app.models.system import Setting
from app.services.matter_import import COLUMNS, _existing, build_template, import_matters, parse_materials

HEADERS = [c.header + ("*" if c.required else "") for c in COLUMNS]


def row(
    code="XZ-T-0001",
    name="食品经营许可（新办）",
    category="行政许可",
    department="县市场监督管理局",
    legal=20,
    promised=10,
    materials="申请书（原件1份）\n营业执照（复印件2份）\n委托书（原件1份，选填）",
    steps="受理(1)→审查(6)→决定(2)",
    **extra,
):
    values = {
        "事项编码": code,
        "事项名称": name,
        "事项类型": category,
        "实施部门": department,
        "法定时限（工作日）": legal,
        "承诺时限（工作日）": promised,
        "申请材料": materials,
        "办理流程": steps,
        "是否网办": "是",
        **extra,
    }
    return [values.get(c.header) for c in COLUMNS]


def workbook(*rows, headers=HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def _matters(session):
    return {m.code: m for m in session.scalars(sa.select(Matter))}


def test_good_file_creates_matters_with_materials_and_steps(db_session):
    before = len(_matters(db_session))
    report = import_matters(
        db_session, workbook(row(), row(code="XZ-T-0002", name="药品零售许可", legal=30, promised=15)), dry_run=False
    )
    assert report.ok and (report.created, report.updated) == (2, 0)
    db_session.commit()
    matters = _matters(db_session)
    assert len(matters) == before + 2
    matter = matters["XZ-T-0001"]
    assert matter.category == MatterCategory.licensing and matter.department.name == "县市场监督管理局"
    assert (matter.legal_limit_days, matter.promised_limit_days, matter.online_available) == (20, 10, True)
    assert [(m.name, m.form, m.original_count, m.copy_count, m.required) for m in matter.materials] == [
        ("申请书", MaterialForm.original, 1, 0, True),
        ("营业执照", MaterialForm.copy, 0, 2, True),
        ("委托书", MaterialForm.original, 1, 0, False),
    ]
    assert [(s.seq, s.name, s.limit_days) for s in matter.steps] == [(1, "受理", 1), (2, "审查", 6), (3, "决定", 2)]


def test_reimport_updates_and_replaces_materials(db_session):
    import_matters(db_session, workbook(row()), dry_run=False)
    db_session.commit()
    changed = workbook(row(name="食品经营许可（变更）", materials="变更申请书"))
    report = import_matters(db_session, changed, dry_run=False)
    assert (report.created, report.updated) == (0, 1)
    db_session.commit()
    matter = _matters(db_session)["XZ-T-0001"]
    assert matter.name == "食品经营许可（变更）"
    assert [m.name for m in matter.materials] == ["变更申请书"]


def test_dry_run_writes_nothing(db_session):
    before = len(_matters(db_session))
    report = import_matters(db_session, workbook(row()), dry_run=True)
    db_session.commit()
    assert report.ok and report.created == 1
    assert len(_matters(db_session)) == before


def test_one_bad_row_writes_nothing_and_names_row_and_column(db_session):
    before = len(_matters(db_session))
    report = import_matters(
        db_session, workbook(row(), row(code="XZ-T-0002", promised=25), row(code="XZ-T-0003")), dry_run=False
    )
    db_session.commit()
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, "承诺时限（工作日）")]
    assert len(_matters(db_session)) == before


def test_missing_columns_are_named(db_session):
    report = import_matters(db_session, workbook(row(), headers=["事项编码", "事项名称"]), dry_run=True)
    assert not report.ok
    assert "事项类型" in report.errors[0].message and "法定时限（工作日）" in report.errors[0].message


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"legal": "二十"}, "法定时限（工作日）"),
        ({"legal": 20.5}, "法定时限（工作日）"),
        ({"promised": -1}, "承诺时限（工作日）"),
        ({"category": "行政命令"}, "事项类型"),
        ({"department": "县不存在局"}, "实施部门"),
        ({"name": "长" * 201}, "事项名称"),
        ({"name": None}, "事项名称"),
        ({"materials": "申请书（原件一份）"}, "申请材料"),
        ({"steps": "受理(8)→审查(8)"}, "办理流程"),
        ({"收费标准（元）": "免费"}, "收费标准（元）"),
    ],
)
def test_bad_cells_are_reported_per_column(db_session, overrides, column):
    report = import_matters(db_session, workbook(row(**overrides)), dry_run=True)
    assert not report.ok
    assert column in {e.column for e in report.errors}
    assert all(e.row == 2 for e in report.errors)


def test_duplicate_code_in_file(db_session):
    report = import_matters(db_session, workbook(row(), row(name="另一个")), dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "事项编码")]
    assert "2" in report.errors[0].message


@pytest.mark.parametrize("payload", [b"not an excel file", "事项编码,事项名称\nA,B\n".encode()])
def test_non_xlsx_file_is_refused(db_session, payload):
    report = import_matters(db_session, io.BytesIO(payload), dry_run=False)
    assert not report.ok and report.errors[0].row is None


def test_empty_workbook_is_refused(db_session):
    report = import_matters(db_session, workbook(), dry_run=True)
    assert not report.ok


def test_promise_not_30_percent_shorter_is_a_warning_only(db_session):
    report = import_matters(db_session, workbook(row(legal=20, promised=18, steps="受理(1)")), dry_run=True)
    assert report.ok and len(report.warnings) == 1


def test_template_round_trips(db_session):
    buffer = io.BytesIO()
    build_template(buffer)
    buffer.seek(0)
    report = import_matters(db_session, buffer, dry_run=True)
    assert report.ok, report.errors
    assert report.created == 2


def test_material_spec_parsing():
    assert parse_materials("身份证（原件1份，复印件1份）；照片（电子版）") == [
        ("身份证", MaterialForm.original_and_copy, 1, 1, True, False),
        ("照片", MaterialForm.electronic, 0, 0, True, False),
    ]


def test_a_tolerated_material_stays_required_and_is_marked_tolerable():
    """容缺 marks a secondary material that may be missing at acceptance; it is still required."""
    assert parse_materials("营业执照（复印件1份）；场所证明（原件1份，容缺）；委托书（选填）") == [
        ("营业执照", MaterialForm.copy, 0, 1, True, False),
        ("场所证明", MaterialForm.original, 1, 0, True, True),
        ("委托书", MaterialForm.original_and_copy, 1, 1, False, False),
    ]


def test_existing_matters_are_looked_up_in_chunks(db_session):
    """One IN list of a 70,000-row catalogue passed PostgreSQL's 65,535 bound parameters."""
    codes = [f"NEW-{n:05d}" for n in range(70_000)] + ["XZ-D01-0001"]
    assert list(_existing(db_session, codes)) == ["XZ-D01-0001"]


def test_a_workbook_past_the_row_limit_is_refused_whole(db_session):
    db_session.execute(sa.update(Setting).where(Setting.key == "matter_import_max_rows").values(value="2"))
    rows = [row(code=f"XZ-T-000{n}") for n in range(1, 4)]
    assert import_matters(db_session, workbook(*rows[:2]), dry_run=True).ok
    report = import_matters(db_session, workbook(*rows), dry_run=False)
    assert [e.message for e in report.errors] == [
        "文件超过 2 行，超出单次导入的上限（可在设置中调整）。请拆分为较小的文件。"
    ]
    assert "XZ-T-0001" not in _matters(db_session)


def test_the_consultation_phone_is_checked_and_written_in_one_form(app, db_session):
    with app.test_request_context():
        report = import_matters(
            db_session,
            workbook(row(咨询电话="0396 2812345 转 801"), row(code="XZ-T-0002", 咨询电话="2812345")),
            dry_run=True,
        )
    assert [(e.row, e.column) for e in report.errors] == [(3, "咨询电话")]
    assert "带区号的固定电话" in report.errors[0].message
    report = import_matters(db_session, workbook(row(咨询电话="(0396)2812345-801")), dry_run=False)
    assert report.ok, report.errors
    assert _matters(db_session)["XZ-T-0001"].phone == "0396-2812345-801"
