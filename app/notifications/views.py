"""The admins' view of the outbox: failed messages, and sending one again."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import func, select

from app.accounts.auth import role_required
from app.database import write_transaction
from app.errors import ApiError
from app.extensions import db
from app.models import NOTIFICATION_STATUSES, Notification, utcnow
from offline_sync.messages_nl import DutchSchema

blp = Blueprint("notifications", __name__, url_prefix="/api/v1",
                description="E-mail-outbox (beheer): mislukte berichten bekijken en opnieuw versturen")

RESIDENT = "bewoner (adres niet getoond)"


class NotificationQuery(DutchSchema):
    status = fields.String(load_default="failed", validate=validate.OneOf(NOTIFICATION_STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class NotificationOut(DutchSchema):
    """A queued e-mail without its body; a resident's address is never shown."""

    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    recipient = fields.Method("_recipient")
    subject = fields.String()
    entity = fields.String(allow_none=True)
    record_id = fields.UUID(allow_none=True)
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    next_attempt_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)

    def _recipient(self, row: Notification) -> str:
        return RESIDENT if row.kind == "resident_status" else row.to_address


class NotificationList(DutchSchema):
    items = fields.List(fields.Nested(NotificationOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


def counts_by_status() -> dict[str, int]:
    """Return how many messages the outbox holds per status."""
    counts = dict.fromkeys(NOTIFICATION_STATUSES, 0)
    counts.update(db.session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
    return counts


def listed(status: str, limit: int = 100) -> list[Notification]:
    """Return the newest messages with a status."""
    return db.session.scalars(select(Notification).where(Notification.status == status)
                              .order_by(Notification.id.desc()).limit(limit)).all()


@blp.route("/notifications")
class Notifications(MethodView):
    @role_required("admin")
    @blp.arguments(NotificationQuery, location="query")
    @blp.response(200, NotificationList)
    @blp.alt_response(401, description="Niet aangemeld")
    @blp.alt_response(403, description="Alleen voor beheerders")
    def get(self, query):
        """List queued e-mails by status (default: those given up on), newest first, with counts."""
        return {"items": listed(query["status"], query["limit"]), "counts": counts_by_status()}


@blp.route("/notifications/<int:notification_id>/retry")
class Retry(MethodView):
    @role_required("admin")
    @blp.response(200, NotificationOut)
    @blp.alt_response(404, description="Onbekend bericht")
    @blp.alt_response(409, description="Het bericht is niet mislukt")
    def post(self, notification_id: int):
        """Send a failed e-mail again: back in the queue with a fresh count of attempts."""
        with write_transaction(db.session()):
            row = db.session.get(Notification, notification_id)
            if row is None:
                raise ApiError(404, "Dit bericht bestaat niet.")
            if row.status != "failed":
                raise ApiError(409, "Alleen een mislukt bericht kan opnieuw worden verstuurd.")
            row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
        return row
