"""Extension singletons, bound to an app in create_app()."""

from flask_appbuilder import Model
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

# Share FAB's declarative base so Alembic sees ab_* tables and ours in one metadata.
db = SQLAlchemy(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()
