"""Security: server-side login sessions, password rules and the current user's row scope."""

import functools
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request, session
from flask_appbuilder.api import safe
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.views import expose
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import get_jwt_identity, jwt_required
from flask_login import user_logged_in
from sqlalchemy.orm import joinedload
from wtforms.validators import ValidationError

from app import clock
from app.models.org import Staff, StaffStatus
from app.models.system import LoginSession
from app.services import credentials
from app.services.login_limit import Limits, LoginLimit
from app.services.scope import NOTHING, Kind, Scope, kind_for, scope_for
from app.views import users

SESSION_TOKEN_KEY = "govhall_sid"
# Writing last_seen on every request would make every page a write transaction.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)

_PASSWORD_CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")


def password_complexity(password: str) -> None:
    """At least 8 characters from at least three of: lower, upper, digit, symbol."""
    classes = sum(1 for pattern in _PASSWORD_CLASSES if re.search(pattern, password or ""))
    if len(password or "") < 8 or classes < 3:
        raise ValidationError(
            str(
                _l(
                    "The password must have at least 8 characters and mix three of: "
                    "lowercase, uppercase, digits, symbols."
                )
            )
        )


class GovSecurityApi(SecurityApi):
    """FAB's token login and refresh, plus a logout that revokes the tokens."""

    @functools.wraps(SecurityApi.login)  # FAB's route and OpenAPI text
    def login(self):
        # FAB reads "provider" without a default (a KeyError, answered 500); the database is the
        # only provider here.
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            body.setdefault("provider", "db")
        response = SecurityApi.login(self)
        if g.get("login_refusal"):
            return self.response(429, message=g.login_refusal)
        return response

    @expose("/logout", methods=["POST"])
    @jwt_required(verify_type=False)
    @safe
    def logout(self):
        """Revoke every access and refresh token of the account
        ---
        post:
          description: >-
            Revoke every access and refresh token issued to the account until now (an access or
            a refresh token may be sent). A logout in the browser and a password change do the same.
          responses:
            200:
              description: Tokens revoked
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
            401:
              $ref: '#/components/responses/401'
          security:
            - jwt: []
            - jwt_refresh: []
        """
        credentials.revoke_tokens(self.appbuilder.session, int(get_jwt_identity()))
        self.appbuilder.session.commit()
        return self.response(200, message=str(_l("Logged out: every API token of this account is revoked.")))


class GovAuthDBView(AuthDBView):
    # FAB flashes this after any refused login: say so when the login limit was the reason.
    invalid_login_message = LazyString(lambda: g.get("login_refusal") or gettext("Invalid login. Please try again."))


class GovSecurityManager(SecurityManager):
    """FAB's manager plus login sessions that a logout really ends."""

    # FAB's user statistics chart loads Google Charts from the internet (useless on an offline
    # intranet) and answered 500 to an unknown /chart/<group_by>.
    userstatschartview = None
    authdbview = GovAuthDBView
    # Names 姓名 in Chinese order, roles by their Chinese labels (app/views/users.py).
    userdbmodelview = users.UserDBModelView
    rolemodelview = users.RoleModelView
    groupmodelview = users.UserGroupModelView
    permissionmodelview = users.PermissionModelView
    viewmenumodelview = users.ViewMenuModelView
    permissionviewmodelview = users.PermissionViewModelView

    def load_user(self, pk):
        token = session.get(SESSION_TOKEN_KEY) if has_request_context() else None
        if token is None:
            return None
        now = clock.now()
        login = self.session.scalar(
            sa.select(LoginSession).where(
                LoginSession.token == token,
                LoginSession.user_id == int(pk),
                LoginSession.ended_at.is_(None),
            )
        )
        if login is None:
            return None
        if now - login.last_seen_at > current_app.config["LOGIN_IDLE_TIMEOUT"]:
            login.ended_at = now
            self.session.commit()
            return None
        if now - login.last_seen_at > LAST_SEEN_RESOLUTION:
            login.last_seen_at = now
            self.session.commit()
        return super().load_user(pk)

    security_api = GovSecurityApi

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(self._token_claims)
        return jwt_manager

    def _token_claims(self, identity):
        # The refresh endpoint passes on the refresh token's identity, checked in load_user_jwt.
        return {credentials.TOKEN_GENERATION_CLAIM: credentials.token_generation(self.session, int(identity))}

    def load_user_jwt(self, _jwt_header, jwt_data):
        # API clients carry a signed token instead of a session: it holds while its generation is
        # the user's, i.e. no logout or password change since it was issued.
        sub = str(jwt_data.get("sub", ""))
        if not sub.isdigit():
            return None
        generation = jwt_data.get(credentials.TOKEN_GENERATION_CLAIM, 0)
        if generation != credentials.token_generation(self.session, int(sub)):
            return None
        user = super().get_user_by_id(int(sub))
        if user is not None and user.is_active:
            g.user = user
            return user
        return None

    def auth_user_db(self, username, password):
        """FAB's password check behind the failed-login limit (services/login_limit.py), for the
        login form and the token API alike. A refusal is left in g.login_refusal for the answer."""
        limit = self.login_limit()
        if limit is None:
            return super().auth_user_db(username, password)
        address = request.remote_addr or ""
        refusal = limit.refusal(username, address, clock.now())
        if refusal is not None:
            g.login_refusal = refusal
            return None
        user = super().auth_user_db(username, password)
        if user is None:
            limit.failed(username, address)
            # The attempt that reached a threshold already says so.
            g.login_refusal = limit.refusal(username, address, clock.now())
        else:
            limit.succeeded(username)
        return user

    def login_limit(self) -> LoginLimit | None:
        if not self.limiter.enabled:
            return None
        prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
        return LoginLimit(self.limiter.limiter, prefix, Limits.from_settings(self.session))

    def get_user_by_id(self, pk):
        # Roles and groups are read on every request (permission checks): load them with the user.
        # unique() consumes every joined row, so a user with several roles gets all of them.
        query = (
            sa.select(self.user_model)
            .where(self.user_model.id == pk)
            .options(joinedload(self.user_model.roles), joinedload(self.user_model.groups))
        )
        return self.session.scalars(query).unique().one_or_none()

    def on_user_logout(self, user) -> None:
        token = session.pop(SESSION_TOKEN_KEY, None)
        if token:
            self.session.execute(
                sa.update(LoginSession)
                .where(LoginSession.token == token, LoginSession.ended_at.is_(None))
                .values(ended_at=clock.now())
            )
        # Logging out ends the account's API tokens too: a refresh token would go on for 30 days.
        credentials.revoke_tokens(self.session, user.id)
        self.session.commit()
        session.clear()
        super().on_user_logout(user)

    def reset_password(self, userid, password):
        """A new password (own change, admin reset, CLI) ends every other login of the account and
        every API token issued before it; the session changing its own password stays."""
        user_id = int(userid)  # the admin reset view passes the URL's text
        own = has_request_context() and getattr(g.get("user"), "id", None) == user_id
        keep = session.get(SESSION_TOKEN_KEY) if own else None
        credentials.revoke_logins(self.session, user_id, clock.now(), keep_session=keep)
        super().reset_password(user_id, password)  # commits the revocation with the new hash


def _start_login_session(sender, user, **extra):
    """Every login gets a fresh server-side token (also defeats session fixation)."""
    sm = current_app.appbuilder.sm
    now = clock.now()
    token = secrets.token_urlsafe(32)
    sm.session.add(
        LoginSession(token=token, user_id=user.id, created_at=now, last_seen_at=now, remote_addr=request.remote_addr)
    )
    sm.session.commit()
    session[SESSION_TOKEN_KEY] = token
    session.permanent = True


def install_login_sessions() -> None:
    if not user_logged_in.has_receivers_for(_start_login_session):
        user_logged_in.connect(_start_login_session)


def staff_of(user) -> Staff | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return current_app.appbuilder.session.scalar(sa.select(Staff).where(Staff.user_id == user.id))


def current_scope() -> Scope:
    """Row scope of the logged-in user, computed once per request."""
    if not has_request_context():
        return NOTHING
    if "govhall_scope" not in g:
        user = getattr(g, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            g.govhall_scope = NOTHING
        else:
            roles = [role.name for role in user.roles]
            role_scopes = current_app.config["ROLE_SCOPES"]
            # Seeing everything needs no Staff lookup: one statement less on every page.
            staff = None if kind_for(roles, role_scopes) is Kind.everything else staff_of(user)
            g.govhall_scope = scope_for(roles, role_scopes, staff)
    return g.govhall_scope


def actor_for(user):
    """The case-flow Actor of a logged-in user (department facts from an active Staff record)."""
    from app.services.case_flow import Actor

    staff = staff_of(user)
    active = staff is not None and staff.status == StaffStatus.active
    return Actor(
        user_id=user.id,
        name=f"{user.last_name or ''}{user.first_name or ''}" or user.username,
        roles=frozenset(role.name for role in user.roles),
        staff_id=staff.id if active else None,
        department_id=staff.department_id if active else None,
        window_id=staff.window_id if active else None,
        center_id=staff.center_id if active else None,
    )
