"""The annual appraisal pages: generating and confirming a year, the result workbook's cells, the letter to a
home department (scoped), and who may do what."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import sqlalchemy as sa

from app.extensions import db
from app.models import AnnualAppraisal
from app.models.assessment import MonthlyScore
from tests.conftest import login

YEAR = 2025


def _scores(app, world_ids, scores):
    """Each world staff member named in `scores` scored that much in every month of the year."""
    with app.app_context():
        table = MonthlyScore.__table__
        for name, score in scores.items():
            for month in range(1, 13):
                values = {
                    "month": date(YEAR, month, 1),
                    "kind": "staff",
                    "center_id": world_ids["county"],
                    "staff_id": world_ids[f"staff_{name}"],
                    "department_id": world_ids["dept_a" if name.endswith("_a") else "dept_b"],
                    "score": Decimal(score),
                    "computed_at": datetime(YEAR + 1, 1, 2),
                }
                # The score's kind and center arrive with the department scores (issue 14 §3).
                db.session.execute(sa.insert(table).values({k: v for k, v in values.items() if k in table.c}))
        db.session.commit()


def _generated(app, client, world_ids):
    _scores(app, world_ids, {"staff_a": "93.5", "chief_a": "84", "staff_b": "68", "chief_b": "75"})
    login(client, "manager")
    response = client.post("/annualappraisalview/generate/", data={"year": str(YEAR)})
    assert response.status_code == 302 and f"_flt_0_year={YEAR}" in response.headers["Location"]
    return client


def test_generate_then_list_and_confirm(app, client, world_ids):
    _generated(app, client, world_ids)
    page = client.get(f"/annualappraisalview/list/?_flt_0_year={YEAR}").get_data(as_text=True)
    for text in ("测试staff_a", "测试staff_b", "称职", "基本称职", "不称职", "年度考核意见"):
        assert text in page
    assert client.post("/annualappraisalview/confirm/", data={"year": str(YEAR)}).status_code == 302
    with app.app_context():
        decided = db.session.scalars(sa.select(AnnualAppraisal.decided_by).where(AnnualAppraisal.year == YEAR)).all()
    assert decided == ["manager"] * 4
    assert client.post("/annualappraisalview/generate/", data={"year": "2999"}).status_code == 302


def test_result_workbook_cells(app, client, world_ids):
    _generated(app, client, world_ids)
    response = client.get(f"/annualappraisalview/workbook/?year={YEAR}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "年度考核结果"
    assert sheet["A1"].value == f"示范县政务服务中心 {YEAR}年度窗口工作人员考核结果"
    assert sheet["A2"].value.startswith("在中心工作满 6 个整月且年底仍在中心的工作人员参加年度考核")
    assert [cell.value for cell in sheet[4]][:9] == [
        "服务中心",
        "派出部门",
        "工号",
        "姓名",
        "在中心整月数",
        "是否参评",
        "年度得分",
        "中心内排名",
        "考核等次",
    ]
    rows = {row[3]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    # 4 eligible at the county center: 15 % gives no 优秀 place, so 93.5 is 称职.
    assert rows["测试staff_a"][:11] == (
        "示范县政务服务中心",
        "县市场监督管理局",
        "T006",
        "测试staff_a",
        12,
        "是",
        93.5,
        1,
        "称职",
        None,
        "优秀名额已满（本中心参评 4 人，优秀不超过 0 人）",
    )
    assert rows["测试chief_b"][6:9] == (75, 3, "基本称职")
    assert rows["测试staff_b"][6:9] == (68, 4, "不称职")


def test_letter_to_a_home_department_is_scoped(app, client, world_ids):
    _generated(app, client, world_ids)
    url = f"/annualappraisalview/letter/{world_ids['dept_a']}?year={YEAR}"
    page = client.get(url).get_data(as_text=True)
    for text in (
        "示范县政务服务中心",
        "年度考核意见",
        "县市场监督管理局：",
        f"{YEAR} 年度考核等次如下",
        "测试staff_a",
        "测试chief_a",
    ):
        assert text in page
    assert "称职" in page and "（盖章）" in page and "经办人：" in page and "appraisal_letter.css" in page
    assert "测试staff_b" not in page
    assert client.get(f"/annualappraisalview/letter/{world_ids['dept_c']}?year={YEAR}").status_code == 404
    client.get("/logout/")
    login(client, "chief_b")
    assert client.get(url).status_code == 404
    own = client.get(f"/annualappraisalview/letter/{world_ids['dept_b']}?year={YEAR}").get_data(as_text=True)
    assert "测试chief_b" in own and "测试staff_a" not in own
    client.get("/logout/")
    login(client, "staff_a")
    mine = client.get(url).get_data(as_text=True)
    assert "测试staff_a" in mine and "测试chief_a" not in mine


def test_who_may_generate_confirm_and_read(app, client, world_ids):
    _generated(app, client, world_ids)
    client.get("/logout/")
    login(client, "supervisor")
    assert client.post("/annualappraisalview/generate/", data={"year": str(YEAR)}).status_code == 302
    assert client.post("/annualappraisalview/confirm/", data={"year": str(YEAR)}).status_code == 403
    client.get("/logout/")
    login(client, "chief_a")
    assert client.post("/annualappraisalview/generate/", data={"year": str(YEAR)}).status_code == 403
    page = client.get(f"/annualappraisalview/list/?_flt_0_year={YEAR}").get_data(as_text=True)
    assert "测试staff_a" in page and "测试staff_b" not in page
    assert client.get(f"/annualappraisalview/workbook/?year={YEAR}").status_code == 200
    client.get("/logout/")
    login(client, "staff_a")
    assert client.get(f"/annualappraisalview/workbook/?year={YEAR}").status_code == 403
    page = client.get(f"/annualappraisalview/list/?_flt_0_year={YEAR}").get_data(as_text=True)
    assert "测试staff_a" in page and "测试chief_a" not in page
