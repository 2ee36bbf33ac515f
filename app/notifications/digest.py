"""The overdue digest: each team member gets one e-mail listing their signals past their due date.

"Their" signals: assigned to them, or owned by their organisation and assigned to nobody. Run daily
(cron or a systemd timer, docs/notifications.md); a second run on the same day queues nothing new,
because the Message-ID is made of the day and the person.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Buurt, Notification, Signal, User, utcnow
from app.notifications import messages
from app.reports.summary import CLOSED_STATUSES, local_today


def queue_overdue_digest(today: date | None = None) -> int:
    """Queue today's digest for every team member with overdue signals; return how many were queued."""
    today = today or local_today()
    members = db.session.scalars(select(User).where(
        User.role == "team", User.active.is_(True), User.notify_email.is_(True)).order_by(User.email)).all()
    if not members:
        return 0
    overdue = db.session.execute(
        select(Signal.id, Signal.title, Signal.status, Signal.due_date, Signal.assignee_id, Signal.organisation_id,
               Buurt.name).outerjoin(Buurt, Buurt.code == Signal.buurt_code)
        .where(Signal.deleted.is_(False), Signal.status.not_in(CLOSED_STATUSES), Signal.due_date < today)
        .order_by(Signal.due_date, Signal.title)).all()
    by_assignee, unassigned_by_org = defaultdict(list), defaultdict(list)
    for row in overdue:
        item = {"id": str(row.id), "title": row.title, "status": row.status, "due": messages.dutch_date(row.due_date),
                "buurt_name": row.name}
        if row.assignee_id is not None:
            by_assignee[row.assignee_id].append(item)
        elif row.organisation_id is not None:
            unassigned_by_org[row.organisation_id].append(item)
    existing = set(db.session.scalars(select(Notification.message_id).where(
        Notification.kind == "overdue_digest", Notification.message_id.like(f"<digest.{today.isoformat()}.%"))))
    queued = 0
    for user in members:
        signals = by_assignee.get(user.id, []) + unassigned_by_org.get(user.organisation_id, [])
        message_id = f"<digest.{today.isoformat()}.u{user.id}@{messages.mail_domain()}>"
        if not signals or message_id in existing:
            continue
        mail = messages.overdue_digest(user.name, signals)
        db.session.add(Notification(kind="overdue_digest", message_id=message_id, to_address=user.email,
                                    subject=mail.subject, body_text=mail.text, body_html=mail.html,
                                    status="pending", attempts=0, next_attempt_at=utcnow(), created_at=utcnow()))
        queued += 1
    return queued
