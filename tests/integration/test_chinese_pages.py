"""Generated pages read Chinese: titles, messages, values (no None/True/[]), names 姓+名, roles."""

import re

import pytest
import sqlalchemy as sa
from flask_appbuilder.api import BaseApi

from app.extensions import db
from app.models import Department
from app.views.display import display, list_cell, person_name
from tests.conftest import login

LATIN_WORD = re.compile(r"(?!HH|MM|YYYY|DD)[A-Za-z]{2,}")
RAW_CELL = re.compile(r">\s*(None|True|False|__None|\[\]|\[\w+\])\s*<")
TITLES = ("list_title", "show_title", "add_title", "edit_title")
# FAB's messages a list, add, edit or delete may flash.
MESSAGES = ("add_row_message", "edit_row_message", "delete_row_message")
DATAMODEL_MESSAGES = (
    "add_row_message",
    "edit_row_message",
    "delete_row_message",
    "add_integrity_error_message",
    "edit_integrity_error_message",
    "delete_integrity_error_message",
    "general_error_message",
    "database_error_message",
)


def _texts(view, names):
    return {name: getattr(view, name) for name in names if getattr(view, name, None) is not None}


def test_every_registered_view_has_chinese_titles_and_messages(app):
    with app.test_request_context("/"):
        english = []
        for view in app.appbuilder.baseviews:
            if isinstance(view, BaseApi):  # titles of the OpenAPI document, not of pages
                continue
            texts = {**_texts(view, TITLES), **_texts(view, MESSAGES)}
            if getattr(view, "datamodel", None) is not None:
                texts.update(_texts(view.datamodel, DATAMODEL_MESSAGES))
            english += [
                f"{type(view).__name__}.{name}: {text}" for name, text in texts.items() if LATIN_WORD.search(str(text))
            ]
    assert not english


def test_every_column_a_page_shows_has_a_chinese_label(app):
    columns = ("list_columns", "show_columns", "add_columns", "edit_columns", "search_columns")
    with app.test_request_context("/"):
        english = []
        for view in app.appbuilder.baseviews:
            if isinstance(view, BaseApi) or not hasattr(view, "label_columns"):
                continue
            shown = {column for names in columns for column in getattr(view, names, None) or ()}
            english += [
                f"{type(view).__name__}.{column}: {view.label_columns.get(column)}"
                for column in sorted(shown)
                # (extra form fields, a hidden row_version, carry their own labels)
                if view.label_columns.get(column) is not None and LATIN_WORD.search(str(view.label_columns[column]))
            ]
    assert not english


def test_a_view_without_its_own_add_title_gets_one_from_its_noun(app):
    with app.test_request_context("/"):
        leave = next(view for view in app.appbuilder.baseviews if type(view).__name__ == "LeaveRequestView")
        assert str(leave.add_title) == f"新增{leave.show_title}"
        assert str(leave.edit_title) == f"编辑{leave.show_title}"


def test_values_read_as_words(app):
    with app.test_request_context("/"):
        assert display(None) == "" and display(True) == "是" and display(False) == "否"
        assert display([]) == ""
        assert display(["甲", None, "乙"]) == "甲、乙"


def test_long_text_is_cut_with_the_whole_text_on_hover():
    name = "示范县某某建设工程有限公司" + "九" * 87
    cell = str(list_cell(name))
    assert f'title="{name}"' in cell and name[:40] + "…" in cell and name[:41] not in cell.split(">", 1)[1]
    short = str(list_cell("XZ-20261203-16650"))
    assert "title=" not in short and "govhall-cell-long" not in short
    hostile = str(list_cell('<script>"x"</script>' * 5))
    assert "<script>" not in hostile


class _Person:
    def __init__(self, first, last, username="u"):
        self.first_name, self.last_name, self.username = first, last, username


def test_names_read_family_name_first():
    assert person_name(_Person("建国", "刘")) == "刘建国"
    assert person_name(_Person("John", "Smith")) == "John Smith"


def test_users_list_and_page_read_chinese(app, client, world_ids):
    login(client, "admin")
    page = client.get("/users/list/").get_data(as_text=True)
    # world users: first name = username, last name 测试 → 测试manager
    assert "测试manager" in page and "manager 测试" not in page
    assert "中心管理员" in page and "窗口工作人员" in page and "是" in page
    assert not RAW_CELL.search(page), RAW_CELL.search(page)
    assert "[CenterManager]" not in page
    shown = client.get(f"/users/show/{world_ids['user_manager']}").get_data(as_text=True)
    assert "中心管理员" in shown and not RAW_CELL.search(shown)
    assert shown.index("测试") < shown.index(">manager<") if ">manager<" in shown else True
    # The navbar names the logged-in user 姓 then 名.
    assert "测试admin" in page


@pytest.mark.parametrize("username", ["chief_a", "staff_a"])
def test_own_user_page_is_open_and_chinese(client, username):
    login(client, username)
    response = client.get("/users/userinfo/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f"测试{username}" in page
    assert not RAW_CELL.search(page)


def test_optional_relation_blank_choice_reads_none(client):
    login(client, "manager")
    page = client.get("/centerview/add").get_data(as_text=True)
    assert ">__None<" not in page and ">（无）<" in page


def test_dialog_buttons_are_chinese(client):
    login(client, "manager")
    page = client.get("/departmentview/list/").get_data(as_text=True)
    assert ">取消<" in page and ">确定<" in page
    assert ">Cancel<" not in page and ">OK<" not in page


def test_department_list_cuts_a_long_name(app, client, world_ids):
    long_name = "示范县" + "很长的名称" * 19 + "局"
    with app.app_context():
        db.session.get(Department, world_ids["dept_c"]).name = long_name
        db.session.commit()
    login(client, "manager")
    page = client.get("/departmentview/list/").get_data(as_text=True)
    assert f'title="{long_name}"' in page and long_name[:40] + "…" in page


def test_role_page_reads_chinese(app, client):
    login(client, "admin")
    with app.app_context():
        role_id = db.session.scalar(sa.text("SELECT id FROM ab_role WHERE name = 'ChiefRep'"))
    page = client.get(f"/roles/show/{role_id}").get_data(as_text=True)
    assert "首席代表" in page and "[['^" not in page


def test_built_in_roles_rules_read_as_the_labels_they_match(app, client):
    """FAB stores a FAB_ROLES rule as a permission or view named by its regex (^can_(read|export)$):
    the security pages and the role form name what it matches, never the regex."""
    from app.views.users import action_label, resource_label

    with app.test_request_context("/"):
        assert action_label("^can_(read|export)$") == "查看、导出"
        assert action_label(".*") == "全部"
        assert resource_label("^(Appeal|Violation)$") == "申诉、违规记录"
        assert resource_label("^NoSuchView$") == "^NoSuchView$"
        unlabelled = [
            name for name in db.session.scalars(sa.text("SELECT name FROM ab_permission")) if action_label(name) == name
        ]
        assert unlabelled == []
    login(client, "admin")
    with app.app_context():
        role_id = db.session.scalar(sa.text("SELECT id FROM ab_role WHERE name = 'ChiefRep'"))
    pages = ("/permissions/list/", "/permissionviews/list/", "/viewmenus/list/", "/roles/add", f"/roles/edit/{role_id}")
    for path in pages:
        page = client.get(path + ("?psize_PermissionViewModelView=100" if "permissionviews" in path else ""))
        text = re.sub(r"<code>.*?</code>|title=\"[^\"]*\"", "", page.get_data(as_text=True))
        assert page.status_code == 200
        assert not re.search(r"\^can_|\^\(|menu_access", text), path


def test_staff_list_calls_the_name_column_full_name(client):
    login(client, "manager")
    page = client.get("/staffview/list/").get_data(as_text=True)
    assert "姓名" in page and "名称" not in page


@pytest.mark.parametrize(
    ("method", "path", "status", "heading"),
    [
        ("get", "/no-such-page", 404, "页面不存在"),
        ("get", "/users/list/", 403, "无权访问"),
        ("delete", "/portal/", 405, "不支持的请求方式"),
    ],
)
def test_error_pages_are_chinese_and_styled(client, method, path, status, heading):
    login(client, "staff_a")
    response = getattr(client, method)(path)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert heading in page and "govhall.css" in page
    assert "Traceback" not in page and "Not Found" not in page and "Forbidden" not in page


def test_group_page_offers_roles_by_their_labels(client):
    login(client, "admin")
    page = client.get("/groups/add").get_data(as_text=True)
    assert ">督查<" in page and ">Supervisor<" not in page
    assert ">Name<" not in client.get("/groups/list/").get_data(as_text=True)


def test_fabs_user_statistics_chart_is_not_offered(app, client):
    # It loads Google Charts from the internet and drew nothing, with English buttons.
    assert not [view for view in app.appbuilder.baseviews if "Chart" in type(view).__name__]
    login(client, "admin")
    assert client.get("/userstatschartview/chart/").status_code == 404
    assert "userstatschartview" not in client.get("/").get_data(as_text=True).lower()


def test_granted_leave_reads_yi_pi_zhun_not_the_case_decision(app):
    from app.models.personnel import LeaveStatus

    with app.test_request_context("/"):
        assert str(LeaveStatus.approved) == "已批准"
