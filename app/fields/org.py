"""Fields of the organisation: service centers, departments, windows and staff (views and API).

A record's status is set by the list's enable/disable actions (a staff member leaves through a
personnel change), never typed into its form.
"""

from app.fields import API, API_FORM, API_LIST, API_SHOW, EXPORT, FORM, LIST, SEARCH, SHOW, Field, Registry
from app.models.org import Center, Department, Staff, Window

CENTER_FIELDS = Registry(
    Center,
    Field("id", API_LIST | API_SHOW),
    Field("code", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("name", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("level", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("parent", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("address", LIST | SHOW | FORM | API_LIST | API_SHOW | API_FORM),
    Field("phone", LIST | SHOW | FORM | API_LIST | API_SHOW | API_FORM),
    Field("sort_order", SHOW | FORM | API_FORM),
    Field("version", API_LIST | API_SHOW),
)

DEPARTMENT_FIELDS = Registry(
    Department,
    Field("id", API_LIST | API_SHOW),
    Field("code", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("name", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("short_name", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("center", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("phone", LIST | SHOW | FORM | API_LIST | API_SHOW | API_FORM),
    Field("status", LIST | SHOW | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("sort_order", SHOW | FORM | API_FORM),
    Field("version", API_LIST | API_SHOW),
)

WINDOW_FIELDS = Registry(
    Window,
    Field("id", API_LIST | API_SHOW),
    Field("code", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("name", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("kind", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("center", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("department", LIST | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("member_departments", SHOW | FORM),
    Field("status", LIST | SHOW | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("note", SHOW | FORM | API_SHOW | API_FORM),
    Field("version", API_LIST | API_SHOW),
)

STAFF_FIELDS = Registry(
    Staff,
    Field("id", API_LIST | API_SHOW),
    Field("staff_no", LIST | EXPORT | SHOW | FORM | SEARCH | API),
    Field("name", LIST | EXPORT | SHOW | FORM | SEARCH | API),
    Field("department", LIST | EXPORT | SHOW | FORM | SEARCH | API),
    Field("center", LIST | EXPORT | SHOW | FORM | SEARCH | API),
    Field("window", LIST | EXPORT | SHOW | FORM | API_LIST | API_SHOW | API_FORM),
    Field("position", LIST | EXPORT | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("phone", LIST | EXPORT | SHOW | FORM | SEARCH | API_LIST | API_SHOW | API_FORM),
    Field("user", SHOW | FORM),
    Field("joined_on", LIST | EXPORT | SHOW | FORM | API_LIST | API_SHOW | API_FORM),
    Field("status", LIST | EXPORT | SHOW | SEARCH | API),
    # The résumé (issue 19.5; 000 第五条 履历表): the rank changes through a 晋升 change, so a
    # department's form leaves it out (StaffView.center_columns).
    # The API shows the résumé enums but does not set them: its PUT refused a blank nullable enum.
    Field("gender", SHOW | FORM | EXPORT | API_SHOW),
    Field("birth_date", SHOW | FORM | EXPORT | API_SHOW | API_FORM),
    Field("staffing", SHOW | FORM | SEARCH | EXPORT | API_SHOW),
    Field("cadre_rank", SHOW | FORM | SEARCH | EXPORT | API_SHOW),
    Field("title_level", SHOW | FORM | EXPORT | API_SHOW),
    Field("education", SHOW | FORM | SEARCH | EXPORT | API_SHOW),
    Field("home_post", SHOW | FORM | EXPORT | API_SHOW | API_FORM),
    Field("version", API_LIST | API_SHOW),
)
