"""Budgets with their figures, and the applications and granted initiatives that belong to them.

Granted, spent and remaining are summed over the ideas that name a budget, never stored, so they
cannot drift from the ideas. An application that names no budget yet is reviewed in the budget of
its year for its wijk, else in that year's budget for the whole programme (see `queue_budget`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from app.extensions import db
from app.models import Budget, Buurt, Conversation, Gathering, Idea, Signal
from app.reports.summary import LOCAL_TZ, Period, Scope
from offline_sync.budget import APPLICATION, COMMITTED_STATUSES

FIGURES = ("requested_cents", "granted_cents", "spent_cents", "applications", "granted_ideas")


def _sum_if(condition, value) -> object:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def figures_by_budget(budget_ids: Iterable[uuid.UUID] | None = None) -> dict[uuid.UUID, dict]:
    """Return {budget id: figures} summed over live ideas naming the budget.

    `granted_cents` and `spent_cents` count ideas that are granted or realised; `requested_cents` and
    `applications` the applications waiting for a decision.
    """
    committed = Idea.status.in_(COMMITTED_STATUSES)
    waiting = Idea.status == APPLICATION
    stmt = select(
        Idea.budget_id,
        _sum_if(waiting, func.coalesce(Idea.budget_requested_cents, 0)),
        _sum_if(committed, func.coalesce(Idea.budget_granted_cents, 0)),
        _sum_if(committed, func.coalesce(Idea.budget_spent_cents, 0)),
        _sum_if(waiting, 1),
        _sum_if(committed, 1),
    ).where(Idea.deleted.is_(False), Idea.budget_id.is_not(None)).group_by(Idea.budget_id)
    if budget_ids is not None:
        stmt = stmt.where(Idea.budget_id.in_(list(budget_ids)))
    return {row[0]: dict(zip(FIGURES, (int(v) for v in row[1:]), strict=True)) for row in db.session.execute(stmt)}


def wijk_names() -> dict[str, str]:
    """Return {wijk code: wijk name} of the loaded buurten."""
    rows = db.session.execute(select(Buurt.wijk_code, func.max(Buurt.wijk_name)).where(
        Buurt.wijk_code.is_not(None)).group_by(Buurt.wijk_code).order_by(Buurt.wijk_code))
    return {code: name or code for code, name in rows}


def budget_dict(budget: Budget, figures: dict | None = None, wijken: dict[str, str] | None = None) -> dict:
    """Return a budget as the API answers it: its fields plus granted, spent and remaining."""
    figures = figures or dict.fromkeys(FIGURES, 0)
    wijken = wijken if wijken is not None else {}
    return {
        "id": budget.id, "year": budget.year, "name": budget.name, "amount_cents": budget.amount_cents,
        "wijk_code": budget.wijk_code, "wijk_name": wijken.get(budget.wijk_code) if budget.wijk_code else None,
        "granted_cents": figures["granted_cents"], "spent_cents": figures["spent_cents"],
        "remaining_cents": budget.amount_cents - figures["granted_cents"],
        "requested_cents": figures["requested_cents"], "applications": figures["applications"],
        "granted_ideas": figures["granted_ideas"],
        "created_at": budget.created_at, "updated_at": budget.updated_at,
    }


def budgets(year: int | None = None) -> list[dict]:
    """Return the budgets (of one year, or all), newest year first, the programme-wide one first."""
    stmt = select(Budget).order_by(Budget.year.desc(), Budget.wijk_code.is_not(None), Budget.wijk_code, Budget.name)
    if year is not None:
        stmt = stmt.where(Budget.year == year)
    rows = db.session.scalars(stmt).all()
    figures = figures_by_budget([b.id for b in rows]) if rows else {}
    wijken = wijk_names()
    items = [budget_dict(b, figures.get(b.id), wijken) for b in rows]
    queued = _queued_elsewhere(rows)
    for item in items:
        extra = queued.get(item["id"], (0, 0))
        item["applications"] += extra[0]
        item["requested_cents"] += extra[1]
    return items


def _queued_elsewhere(rows: list[Budget]) -> dict[uuid.UUID, tuple[int, int]]:
    """Count the applications without a budget per budget whose queue they are in."""
    out: dict[uuid.UUID, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for idea, wijk in _unassigned_applications():
        budget = queue_budget(rows, _year(idea), wijk)
        if budget is not None:
            n, cents = out[budget.id]
            out[budget.id] = (n + 1, cents + (idea.budget_requested_cents or 0))
    return out


def _year(idea: Idea) -> int:
    when = getattr(idea, "occurred_at", None) or idea.created_at
    return when.astimezone(LOCAL_TZ).year


def _unassigned_applications() -> list[tuple[Idea, str | None]]:
    stmt = select(Idea, Buurt.wijk_code).outerjoin(Buurt, Buurt.code == Idea.buurt_code).where(
        Idea.deleted.is_(False), Idea.status == APPLICATION, Idea.budget_id.is_(None))
    return list(db.session.execute(stmt))


def queue_budget(candidates: Iterable[Budget], year: int, wijk_code: str | None) -> Budget | None:
    """Return the budget an application without one is reviewed in: its wijk's, else the programme's."""
    of_year = [b for b in candidates if b.year == year]
    for budget in of_year:
        if wijk_code is not None and budget.wijk_code == wijk_code:
            return budget
    return next((b for b in of_year if b.wijk_code is None), None)


@dataclass
class QueueItem:
    """An application or granted initiative with what the manager needs to judge it."""

    idea: Idea
    buurt_name: str | None
    wijk_code: str | None
    conversation: Conversation | None


def ideas_of(budget: Budget, statuses: tuple[str, ...]) -> list[QueueItem]:
    """Return the live ideas of a budget in these statuses, oldest first, with buurt and conversation.

    Applications without a budget that fall in this budget's queue are included.
    """
    all_budgets = db.session.scalars(select(Budget)).all()
    stmt = select(Idea, Buurt.name, Buurt.wijk_code).outerjoin(Buurt, Buurt.code == Idea.buurt_code).where(
        Idea.deleted.is_(False), Idea.status.in_(statuses))
    items = []
    for idea, buurt_name, wijk in db.session.execute(stmt):
        if idea.budget_id == budget.id or (
                idea.budget_id is None and idea.status == APPLICATION
                and (queued := queue_budget(all_budgets, _year(idea), wijk)) is not None and queued.id == budget.id):
            items.append(QueueItem(idea, buurt_name, wijk, None))
    conversation_ids = {i.idea.conversation_id for i in items if i.idea.conversation_id}
    if conversation_ids:
        found = {c.id: c for c in db.session.scalars(select(Conversation).where(
            Conversation.id.in_(conversation_ids), Conversation.deleted.is_(False)))}
        for item in items:
            item.conversation = found.get(item.idea.conversation_id)
    items.sort(key=lambda i: (i.idea.created_at, str(i.idea.id)))
    return items


def lock_budget(budget_id: uuid.UUID) -> Budget | None:
    """Return a budget with its row locked until the transaction ends (FOR UPDATE on PostgreSQL)."""
    return db.session.scalar(select(Budget).where(Budget.id == budget_id).with_for_update())


@dataclass
class GatheringYield:
    """A bijeenkomst with what came from it: its conversations, and the signals and ideas raised in them."""

    gathering: Gathering
    buurt_name: str | None
    conversations: int = 0
    residents: int = 0
    signals: list = field(default_factory=list)
    ideas: list = field(default_factory=list)


def gatherings_with_yield(period: Period, scope: Scope, buurt_code: str | None = None) -> list[GatheringYield]:
    """Return the live bijeenkomsten of a period (by occurred_at), newest first, with what came from them."""
    stmt = select(Gathering, Buurt.name).outerjoin(Buurt, Buurt.code == Gathering.buurt_code).where(
        Gathering.deleted.is_(False), *period.conditions(Gathering.occurred_at), *scope.conditions(Gathering))
    if buurt_code is not None:
        stmt = stmt.where(Gathering.buurt_code == buurt_code)
    items = {g.id: GatheringYield(g, name) for g, name in db.session.execute(stmt.order_by(
        Gathering.occurred_at.desc(), Gathering.id))}
    if not items:
        return []
    conversations = db.session.execute(select(Conversation.id, Conversation.gathering_id, Conversation.residents_count)
                                       .where(Conversation.deleted.is_(False),
                                              Conversation.gathering_id.in_(list(items)))).all()
    gathering_of = {}
    for conversation_id, gathering_id, residents in conversations:
        items[gathering_id].conversations += 1
        items[gathering_id].residents += residents or 0
        gathering_of[conversation_id] = gathering_id
    if gathering_of:
        for model, attribute in ((Signal, "signals"), (Idea, "ideas")):
            rows = db.session.execute(select(model.conversation_id, model.id, model.title, model.status).where(
                model.deleted.is_(False), model.conversation_id.in_(list(gathering_of))).order_by(model.created_at))
            for conversation_id, record_id, title, status in rows:
                getattr(items[gathering_of[conversation_id]], attribute).append(
                    {"id": record_id, "title": title, "status": status})
    return list(items.values())


def budget_by_wijk(year: int) -> list[dict]:
    """Return per wijk, for the ideas of a year's budgets: requested, granted, spent, and what its own budget has left.

    Requested counts the applications (also those still without a budget, by the year they were made)
    and every later status; granted and spent the granted and realised ideas.
    """
    of_year = select(Budget.id).where(Budget.year == year)
    committed = Idea.status.in_(COMMITTED_STATUSES)
    asked = Idea.status.in_((APPLICATION, *COMMITTED_STATUSES, "declined"))
    rows = db.session.execute(
        select(Buurt.wijk_code, func.max(Buurt.wijk_name),
               _sum_if(asked, func.coalesce(Idea.budget_requested_cents, 0)),
               _sum_if(committed, func.coalesce(Idea.budget_granted_cents, 0)),
               _sum_if(committed, func.coalesce(Idea.budget_spent_cents, 0)))
        .select_from(Idea).outerjoin(Buurt, Buurt.code == Idea.buurt_code)
        .where(Idea.deleted.is_(False), or_(Idea.budget_id.in_(of_year), and_(
            Idea.budget_id.is_(None), Idea.status == APPLICATION, *Period(date(year, 1, 1), date(year, 12, 31))
            .conditions(Idea.created_at))))
        .group_by(Buurt.wijk_code).order_by(Buurt.wijk_code))
    own = {b["wijk_code"]: b for b in budgets(year) if b["wijk_code"]}
    return [{"wijk_code": code, "wijk_name": name or "Onbekend", "requested_cents": int(requested),
             "granted_cents": int(granted), "spent_cents": int(spent),
             "remaining_cents": own[code]["remaining_cents"] if code in own else None}
            for code, name, requested, granted, spent in rows]
