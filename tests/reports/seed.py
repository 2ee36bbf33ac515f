"""Seed records straight into the models and compute the report figures independently in Python."""

from __future__ import annotations

import random
import statistics
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from shapely import Point

from app.extensions import db
from app.models import Conversation, Gathering, Idea, Signal
from app.reports.summary import LOCAL_TZ
from offline_sync.vocabulary import IDEA_STATUSES, SIGNAL_STATUSES

THEMES = ("groen", "afval", "verkeer", "eenzaamheid", "armoede", "ontmoeting")
START = datetime(2024, 1, 1, tzinfo=UTC)


def seed_records(codes: list[str], organisations: dict, users: dict, n: int = 60, seed: int = 7) -> dict:
    """Add conversations, signals and ideas spread over 2024 and return them as plain dicts.

    `codes` includes None (no buurt) and "XX999" (a code that is no buurt). `organisations` maps a
    name to an Organisation id, `users` maps an organisation name to a user id (or None).
    """
    rng = random.Random(seed)
    seeded = {"conversation": [], "signal": [], "idea": [], "gathering": []}
    extra = random.Random(seed + 1)  # for the programme's fields, so the older draws stay as they were

    def when() -> datetime:
        return START + timedelta(days=rng.randrange(0, 366), hours=rng.randrange(6, 22), minutes=rng.randrange(60))

    org_names = list(organisations)
    for _ in range(n):
        code = rng.choice(codes)
        org = rng.choice(org_names)
        themes = rng.sample(THEMES, rng.randrange(0, 3))
        rec = {"id": uuid.uuid4(), "buurt_code": code, "occurred_at": when(), "residents_count": rng.randrange(1, 6),
               "themes": themes, "deleted": rng.random() < 0.1, "created_by": users[org], "org": org}
        seeded["conversation"].append(rec)
        db.session.add(Conversation(
            id=rec["id"], buurt_code=code, occurred_at=rec["occurred_at"], created_at=rec["occurred_at"],
            setting="street", residents_count=rec["residents_count"], themes=themes, deleted=rec["deleted"],
            summary=f"Gesprek {rng.random():.4f}", created_by_id=rec["created_by"],
            location=_point(rng) if code else None,
        ))
    for i in range(n):
        code = rng.choice(codes)
        org = rng.choice(org_names)
        # Every third signal is owned by another organisation than its creator's, so that a report
        # scoped to an organisation must count signals by owner, not by who created them.
        creator = org if i % 3 else next((o for o in org_names if o != org), org)
        created = when()
        status = rng.choice(SIGNAL_STATUSES)
        done_at = created + timedelta(days=rng.randrange(0, 40), hours=rng.randrange(24)) if status == "done" else None
        due = (created + timedelta(days=rng.randrange(-5, 60))).date() if rng.random() < 0.7 else None
        rec = {"id": uuid.uuid4(), "buurt_code": code, "created_at": created, "status": status, "done_at": done_at,
               "due_date": due, "theme": rng.choice((*THEMES, None)), "deleted": rng.random() < 0.1,
               "organisation": organisations[org], "org": org, "created_by": users[creator]}
        seeded["signal"].append(rec)
        db.session.add(Signal(
            id=rec["id"], buurt_code=code, created_at=created, title=f"Signaal {rng.random():.4f}",
            theme=rec["theme"], status=status, done_at=done_at, due_date=due, deleted=rec["deleted"],
            organisation_id=rec["organisation"], created_by_id=rec["created_by"],
            location=_point(rng) if code else None,
        ))
    for _ in range(n // 2):
        code = rng.choice(codes)
        org = rng.choice(org_names)
        status = rng.choice(IDEA_STATUSES)
        rec = {"id": uuid.uuid4(), "buurt_code": code, "created_at": when(), "status": status,
               "theme": rng.choice((*THEMES, None)), "deleted": rng.random() < 0.1, "org": org,
               "created_by": users[org],
               "budget_requested_cents": rng.choice((None, rng.randrange(1000, 200_000))),
               "budget_granted_cents": rng.randrange(500, 100_000) if status in ("granted", "realised") else None}
        spends = status == "realised" or (status == "granted" and extra.random() < 0.3)
        rec["budget_spent_cents"] = extra.randrange(0, rec["budget_granted_cents"]) if spends else None
        seeded["idea"].append(rec)
        db.session.add(Idea(
            id=rec["id"], buurt_code=code, created_at=rec["created_at"], title=f"Idee {rng.random():.4f}",
            theme=rec["theme"], status=status, deleted=rec["deleted"], created_by_id=rec["created_by"],
            budget_requested_cents=rec["budget_requested_cents"], budget_granted_cents=rec["budget_granted_cents"],
            budget_spent_cents=rec["budget_spent_cents"],
        ))
    for _ in range(n // 3):
        code = extra.choice(codes)
        org = extra.choice(org_names)
        occurred = START + timedelta(days=extra.randrange(0, 366), hours=extra.randrange(6, 22))
        rec = {"id": uuid.uuid4(), "buurt_code": code, "occurred_at": occurred, "org": org,
               "attendance_count": extra.randrange(0, 80), "deleted": extra.random() < 0.1, "created_by": users[org]}
        seeded["gathering"].append(rec)
        db.session.add(Gathering(
            id=rec["id"], buurt_code=code, occurred_at=occurred, created_at=occurred, kind=extra.choice(
                ("stamppot", "bbq", "buurtfeest", "inloop", "other")), attendance_count=rec["attendance_count"],
            deleted=rec["deleted"], created_by_id=rec["created_by"], location=_point(rng) if code else None))
    db.session.commit()
    return seeded


def _point(rng: random.Random):
    from geoalchemy2.shape import from_shape

    return from_shape(Point(6.55 + rng.random() * 0.02, 52.99 + rng.random() * 0.02), srid=4326)


def in_period(moment: datetime, start: date | None, end: date | None) -> bool:
    """Return whether an instant falls on a Dutch calendar day within [start, end]."""
    day = moment.astimezone(LOCAL_TZ).date()
    return (start is None or day >= start) and (end is None or day <= end)


def expected_rows(seeded: dict, known: set[str], start, end, today: date, org: str | None = None) -> dict:
    """Compute the figures per buurt code (None for unknown) from the seeded dicts, plainly."""
    rows: dict = {}

    def row(code):
        key = code if code in known else None
        return rows.setdefault(key, {"conversations": 0, "residents_reached": 0, "signals_total": 0,
                                     "signals_open": 0, "signals_done": 0, "signals_overdue": 0, "durations": [],
                                     "ideas_total": 0, "ideas_granted": 0, "budget_requested_cents": 0,
                                     "budget_granted_cents": 0, "budget_spent_cents": 0, "gatherings": 0,
                                     "gathering_attendance": 0, "themes": Counter()})

    for c in seeded["conversation"]:
        if c["deleted"] or not in_period(c["occurred_at"], start, end) or (org and c["org"] != org):
            continue
        r = row(c["buurt_code"])
        r["conversations"] += 1
        r["residents_reached"] += c["residents_count"]
        r["themes"].update(c["themes"])
    for s in seeded["signal"]:
        if s["deleted"] or not in_period(s["created_at"], start, end) or (org and s["org"] != org):
            continue
        r = row(s["buurt_code"])
        r["signals_total"] += 1
        is_open = s["status"] not in ("done", "not_actionable")
        r["signals_open"] += is_open
        r["signals_done"] += s["status"] == "done"
        r["signals_overdue"] += bool(is_open and s["due_date"] and s["due_date"] < today)
        if s["status"] == "done":
            r["durations"].append((s["done_at"] - s["created_at"]).total_seconds() / 86400)
        if s["theme"]:
            r["themes"][s["theme"]] += 1
    for i in seeded["idea"]:
        if i["deleted"] or not in_period(i["created_at"], start, end) or (org and i["org"] != org):
            continue
        r = row(i["buurt_code"])
        r["ideas_total"] += 1
        r["ideas_granted"] += i["status"] in ("granted", "realised")
        r["budget_requested_cents"] += i["budget_requested_cents"] or 0
        r["budget_granted_cents"] += i["budget_granted_cents"] or 0
        r["budget_spent_cents"] += i["budget_spent_cents"] or 0
        if i["theme"]:
            r["themes"][i["theme"]] += 1
    for g in seeded["gathering"]:
        if g["deleted"] or not in_period(g["occurred_at"], start, end) or (org and g["org"] != org):
            continue
        r = row(g["buurt_code"])
        r["gatherings"] += 1
        r["gathering_attendance"] += g["attendance_count"]
    for r in rows.values():
        r["median_days_to_done"] = round(statistics.median(r["durations"]), 1) if r["durations"] else None
        r["top_themes"] = [t for t, _ in sorted(r.pop("themes").items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
    return rows
