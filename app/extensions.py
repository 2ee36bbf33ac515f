"""Flask extensions, created unbound and initialised in the factory."""

from flask import g, has_app_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api, Blueprint
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


class ReplicaRoutingSession(FlaskSession):
    """Send the queries of read-only views to the read replica, when one is configured.

    A view opts in with `app.database.reads_from_replica`; everything else, writes included, uses
    the primary (`DATABASE_URL`).
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and has_app_context() and g.get("use_replica"):
            replica = self._db.engines.get("replica")
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": ReplicaRoutingSession})
migrate = Migrate()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# Validation errors are 400 by the contract (not webargs' 422), in the answers and in the document.
Blueprint.ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS = 400


class ProblemApi(Api):
    """flask-smorest's Api with errors documented as they are sent: RFC 9457 problem+json.

    No catch-all "default" response: every view names its error statuses (`app.errors.problems`),
    so the document says which errors a client can meet.
    """

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self):
        from app.errors import PROBLEM_JSON, ProblemOut  # noqa: PLC0415 - app.errors imports this module

        self.ERROR_SCHEMA = ProblemOut
        default_content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = default_content_type


api = ProblemApi()
