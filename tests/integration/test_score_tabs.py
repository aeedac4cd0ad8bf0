"""The monthly score page (issue 14 §4): staff, windows and departments in separate tabs, the
staff's by default, each row with its kind and center; the period form keeps the tab; the
department tab's rows export with the page's filters."""

import re
from datetime import date, datetime

from app.extensions import db
from app.services import scoring_month

OCTOBER = "2026-10-01"


def _scored(app):
    with app.app_context():
        scoring_month.score_month(db.session, date(2026, 10, 1), datetime(2026, 11, 2, 2, 0))
        db.session.commit()


def test_the_tabs_show_one_kind_each(app, client, login_as):
    _scored(app)
    login_as("manager")
    default = client.get(f"/monthlyscoreview/list/?_flt_0_month={OCTOBER}").get_data(as_text=True)
    assert "govhall-score-kinds" in default
    assert "测试staff_a" in default and "市场监管窗口" not in default and "县气象局" not in default
    assert "示范县政务服务中心" in default  # the center column
    windows = client.get(f"/monthlyscoreview/list/?_flt_0_month={OCTOBER}&_flt_0_kind=window").get_data(as_text=True)
    assert "市场监管窗口" in windows and "测试staff_a" not in windows
    departments = client.get(f"/monthlyscoreview/list/?_flt_0_month={OCTOBER}&_flt_0_kind=department")
    page = departments.get_data(as_text=True)
    assert "县气象局" in page and "测试staff_a" not in page and "市场监管窗口" not in page
    # The period form carries the chosen tab along.
    assert 'name="_flt_0_kind" value="department"' in page
    export = client.get(f"/monthlyscoreview/export/?_flt_0_month={OCTOBER}&_flt_0_kind=department")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")


def test_a_chief_representative_sees_his_department_s_score(app, client, login_as):
    _scored(app)
    login_as("chief_a")
    page = client.get(f"/monthlyscoreview/list/?_flt_0_month={OCTOBER}&_flt_0_kind=department").get_data(as_text=True)
    assert "县市场监督管理局" in page and "县公安局" not in page
    client.get("/logout/")
    login_as("staff_a")
    page = client.get(f"/monthlyscoreview/list/?_flt_0_month={OCTOBER}&_flt_0_kind=department").get_data(as_text=True)
    assert "县市场监督管理局" not in page  # a staff member sees his own score only


def test_ranks_read_within_each_center(app, client, login_as, world_ids):
    """Ranks count within kind and center: sorted by rank, each center's rows stay together
    (a township's "1" is not listed among the county's)."""
    from app.models import Staff
    from app.models.org import StaffPosition
    from app.services import assessment
    from tests.services.test_department_scores import record

    with app.app_context():
        db.session.add(
            Staff(
                staff_no="T-TOWN-1",
                name="镇中心工作人员",
                department_id=world_ids["dept_a"],
                center_id=world_ids["town"],
                position=StaffPosition.a_post,
            )
        )
        db.session.flush()
        # The county's ranks differ (staff_a loses a point), so a rank-only order would list the
        # township's rank 1 between the county's 1s and its 2.
        assessment.ensure_rules(db.session)
        record("late", world_ids["staff_staff_a"], world_ids["dept_a"])
        db.session.commit()
    _scored(app)
    login_as("manager")
    page = client.get(
        f"/monthlyscoreview/list/?_flt_0_month={OCTOBER}&_oc_MonthlyScoreView=rank&_od_MonthlyScoreView=asc"
    )
    rows = re.findall(r"<tr.*?</tr>", page.get_data(as_text=True), re.S)
    centers = [name for row in rows for name in ("示范县政务服务中心", "城关镇便民服务中心") if name in row]
    assert "城关镇便民服务中心" in centers and "示范县政务服务中心" in centers
    # One run per center: the list never goes back to a center it has left.
    runs = [center for index, center in enumerate(centers) if index == 0 or centers[index - 1] != center]
    assert len(runs) == len(set(runs)), centers


def test_a_tab_leaves_out_the_columns_its_kind_has_empty(app, client, login_as):
    """Departments have no staff member or window, windows no staff member, staff no window: the
    tab's table has no such header; the export, which may hold every kind, keeps them all."""
    _scored(app)
    login_as("manager")

    def headers(kind):
        page = client.get(f"/monthlyscoreview/list/?_flt_0_month={OCTOBER}&_flt_0_kind={kind}").get_data(as_text=True)
        head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
        return [re.sub(r"<[^>]+>|\s", "", cell) for cell in re.findall(r"<th.*?</th>", head, re.S)]

    staff, windows, departments = headers("staff"), headers("window"), headers("department")
    assert "工作人员" in staff and "窗口" not in staff and "进驻部门" in staff
    assert "窗口" in windows and "工作人员" not in windows
    assert "工作人员" not in departments and "窗口" not in departments and "进驻部门" in departments
    assert "服务中心" in departments and "排名" in departments and "得分" in departments

    from io import BytesIO

    from openpyxl import load_workbook

    export = client.get(f"/monthlyscoreview/export/?_flt_0_month={OCTOBER}&_flt_0_kind=department")
    header = [cell.value for cell in next(load_workbook(BytesIO(export.data)).active.iter_rows(max_row=1))]
    assert "工作人员" in header and "窗口" in header
