"""Settings are checked against the shape of their default before they are stored."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Setting
from app.services import settings


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        ("warning_scan_minutes", "10", "十"),
        ("evaluation_default_level", "5", "6"),
        ("warning_ratio", "0.25", "1.5"),
        ("office_hours", "09:00-12:00,14:00-18:00", "12:00-09:00"),
        ("backup_time", "03:15", "25:00"),
        ("complaint_stage_days", "2,3,3,2,1", "2,3"),
        ("assessment_cap_business", "", "-3"),
        ("evaluation_rule", "once", "twice"),
        ("center_name", "某县政务服务中心", " "),
    ],
)
def test_each_kind_of_value_is_checked(key, good, bad):
    assert settings.check(key, good) == []
    assert settings.check(key, bad) != []


def test_the_settings_page_refuses_a_bad_value_and_keeps_the_old_one(app, client, login_as):
    login_as("admin")
    with app.app_context():
        row = db.session.scalar(sa.select(Setting).where(Setting.key == "backup_time"))
        pk, version = row.id, row.version
        db.session.remove()
    response = client.post(
        f"/settingview/edit/{pk}", data={"value": "25:00", "row_version": str(version)}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "25:00" in response.get_data(as_text=True)  # the message names the value
    with app.app_context():
        assert db.session.scalar(sa.select(Setting.value).where(Setting.id == pk)) == "02:30"
    response = client.post(
        f"/settingview/edit/{pk}", data={"value": "03:15", "row_version": str(version)}, follow_redirects=True
    )
    with app.app_context():
        assert db.session.scalar(sa.select(Setting.value).where(Setting.id == pk)) == "03:15"


def test_the_appraisal_grade_scores_must_fall(app, client, login_as):
    """优秀 above 称职 above 基本称职: a threshold saved out of order would grade nonsense."""
    with app.app_context():
        assert settings.check_in_place(db.session, "appraisal_competent_score", "85") == []
        assert settings.check_in_place(db.session, "appraisal_competent_score", "90") != []  # = 优秀
        assert settings.check_in_place(db.session, "appraisal_basic_score", "80") != []  # = 称职
        assert settings.check_in_place(db.session, "appraisal_excellent_score", "75") != []
        assert settings.check_in_place(db.session, "warning_ratio", "0.5") == []  # not in the group
        row = db.session.scalar(sa.select(Setting).where(Setting.key == "appraisal_excellent_score"))
        pk, version = row.id, row.version
        db.session.remove()
    login_as("admin")
    response = client.post(
        f"/settingview/edit/{pk}", data={"value": "75", "row_version": str(version)}, follow_redirects=True
    )
    assert "年度考核各等次的最低分须依次降低" in response.get_data(as_text=True)
    assert "75 / 80 / 70" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Setting.value).where(Setting.id == pk)) == "90"
