"""Sessions and API tokens are signed with the install's own key: never a key written in the source."""

import ast
import multiprocessing
import stat
from pathlib import Path

import pytest

import config
from app import create_app
from tests.conftest import TEST_DB_URL, _config_dict

CONFIG_SOURCE = Path(config.__file__)


def _app(monkeypatch, instance, **overrides):
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    settings = {**_config_dict(), "ENV_NAME": "development", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": TEST_DB_URL}
    return create_app({**settings, **overrides})


def test_no_key_is_written_in_the_source_outside_the_test_config():
    """Every string assigned to a *SECRET_KEY* name in config.py sits in TestConfig."""
    found = []

    def visit(node, owner):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Assign) and isinstance(child.value, ast.Constant):
                names = [target.id for target in child.targets if isinstance(target, ast.Name)]
                if any(name.endswith("SECRET_KEY") for name in names) and isinstance(child.value.value, str):
                    found.append((owner, names))
            visit(child, child.name if isinstance(child, ast.ClassDef) else owner)

    visit(ast.parse(CONFIG_SOURCE.read_text("utf-8")), None)
    assert found == [("TestConfig", ["SECRET_KEY"])]


def test_development_signs_with_the_generated_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    app = create_app(config.Config)
    assert app.secret_key == (tmp_path / config.SECRET_KEY_FILE).read_text()


def test_first_start_makes_a_private_key_and_later_starts_reuse_it(monkeypatch, tmp_path):
    first = _app(monkeypatch, tmp_path)
    key_file = tmp_path / config.SECRET_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key == key_file.read_text() and len(first.secret_key) >= 32
    second = _app(monkeypatch, tmp_path)
    assert second.secret_key == first.secret_key
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no candidates left


def test_a_session_signed_by_one_app_is_read_by_the_next(app, monkeypatch, tmp_path):
    """Two apps made in turn (two workers, or a restart) accept each other's cookies and tokens.

    Decoding a token reads the user's token generation: `app` migrates the test database."""
    first, second = _app(monkeypatch, tmp_path), _app(monkeypatch, tmp_path)
    with first.test_request_context():
        from flask_jwt_extended import create_access_token, decode_token

        cookie = first.session_interface.get_signing_serializer(first).dumps({"probe": 1})
        token = create_access_token(identity="1")
    with second.test_request_context():
        assert second.session_interface.get_signing_serializer(second).loads(cookie) == {"probe": 1}
        assert decode_token(token)["sub"] == "1"


def test_each_install_has_its_own_key(monkeypatch, tmp_path):
    one = _app(monkeypatch, tmp_path / "one")
    other = _app(monkeypatch, tmp_path / "other")
    assert one.secret_key != other.secret_key


def _read_key(folder):
    return config.instance_secret(Path(folder))


def test_workers_starting_together_agree_on_one_key(tmp_path):
    with multiprocessing.get_context("fork").Pool(6) as pool:
        keys = pool.map(_read_key, [tmp_path] * 24)
    assert len(set(keys)) == 1 and keys[0] == (tmp_path / config.SECRET_KEY_FILE).read_text()


def test_an_environment_key_wins(monkeypatch, tmp_path):
    app = _app(monkeypatch, tmp_path, SECRET_KEY="k" * 40)
    assert app.secret_key == "k" * 40 and not (tmp_path / config.SECRET_KEY_FILE).exists()


@pytest.mark.parametrize(
    "keys",
    [{"SECRET_KEY": None}, {"SECRET_KEY": "short"}, {"SECRET_KEY": "k" * 40, "JWT_SECRET_KEY": "short"}],
)
def test_production_refuses_to_start_without_its_own_keys(monkeypatch, tmp_path, keys):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        _app(monkeypatch, tmp_path, ENV_NAME="production", **keys)
    assert not (tmp_path / config.SECRET_KEY_FILE).exists()


def test_production_starts_with_its_keys(monkeypatch, tmp_path):
    app = _app(monkeypatch, tmp_path, ENV_NAME="production", SECRET_KEY="k" * 40, JWT_SECRET_KEY="j" * 40)
    assert app.secret_key == "k" * 40 and not (tmp_path / config.SECRET_KEY_FILE).exists()
