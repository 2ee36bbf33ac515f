"""Per-buurt figures for managers: a few grouped SQL queries per report, never one query per buurt.

Rules (also in docs/reports.md):

- A period is a pair of dates, both inclusive, in Dutch local time (Europe/Amsterdam).
  Every record kind is counted by `occurred_at` (when it was seen or said, as typed on the phone);
  `created_at` is only the server's receipt time. Days to done run from `created_at`: the partner
  could not act before the signal reached the server.
- Tombstones (`deleted`) never count.
- Records whose `buurt_code` is empty or not a known buurt are counted in one extra row with
  `buurt_code: null` ("Onbekend"), present only when it has any records, so that the totals over
  the rows always equal the totals over the records.
- A `Scope` narrows the figures for team members to their organisation: the signals it owns, and the
  conversations and ideas created by its members.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, select, true
from sqlalchemy.sql import ColumnElement, Select

from app.extensions import db
from app.models import Buurt, Conversation, Gathering, Idea, Signal, Theme, User
from offline_sync.workflow import CLOSED_SIGNAL_STATUSES

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
CLOSED_STATUSES = CLOSED_SIGNAL_STATUSES
GRANTED_STATUSES = ("granted", "realised")
UNKNOWN_NAME = "Onbekend (geen of onbekende buurt)"
OPEN_DATA_THRESHOLD = 5
TOP_THEMES = 3

COLUMNS = (
    "buurt_code", "buurt_name", "wijk_code", "wijk_name",
    "conversations", "residents_reached",
    "signals_total", "signals_open", "signals_done", "signals_overdue", "median_days_to_done",
    "ideas_total", "ideas_granted", "budget_requested_cents", "budget_granted_cents",
    "top_themes", "gatherings", "gathering_attendance", "budget_spent_cents",
)
COUNT_COLUMNS = (
    "conversations", "residents_reached", "signals_total", "signals_open", "signals_done",
    "signals_overdue", "ideas_total", "ideas_granted", "budget_requested_cents", "budget_granted_cents",
    "gatherings", "gathering_attendance", "budget_spent_cents",
)
#: Dutch names of the figures, for page headings, the dashboard and the xlsx sheet.
COLUMN_LABELS = {
    "buurt_code": "Buurtcode", "buurt_name": "Buurt", "wijk_code": "Wijkcode", "wijk_name": "Wijk",
    "conversations": "Gesprekken", "residents_reached": "Bewoners bereikt",
    "signals_total": "Signalen", "signals_open": "Signalen open", "signals_done": "Signalen afgerond",
    "signals_overdue": "Signalen over termijn", "median_days_to_done": "Mediaan dagen tot afgerond",
    "ideas_total": "Ideeën", "ideas_granted": "Ideeën toegekend",
    "budget_requested_cents": "Budget gevraagd (eurocent)", "budget_granted_cents": "Budget toegekend (eurocent)",
    "top_themes": "Belangrijkste thema's",
    "gatherings": "Bijeenkomsten", "gathering_attendance": "Aanwezigen bijeenkomsten",
    "budget_spent_cents": "Budget besteed (eurocent)",
}


@dataclass(frozen=True)
class Period:
    """Two dates, both inclusive; None means unbounded on that side."""

    start: date | None = None
    end: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """Return [lower, upper) as aware datetimes at local midnight."""
        lower = datetime.combine(self.start, time(), LOCAL_TZ) if self.start else None
        upper = datetime.combine(self.end + timedelta(days=1), time(), LOCAL_TZ) if self.end else None
        return lower, upper

    def conditions(self, column) -> list[ColumnElement]:
        """Return the SQL conditions that keep `column` inside the period."""
        lower, upper = self.bounds()
        return [c for c in (column >= lower if lower else None, column < upper if upper else None) if c is not None]


@dataclass(frozen=True)
class Scope:
    """Whose records count: everything, or one organisation's (for team members)."""

    organisation_id: uuid.UUID | None = None

    @property
    def everything(self) -> bool:
        return self.organisation_id is None

    def conditions(self, model) -> list[ColumnElement]:
        """Return the SQL conditions for records of `model` within this scope."""
        if self.everything:
            return []
        if model is Signal:
            return [Signal.organisation_id == self.organisation_id]
        members = select(User.id).where(User.organisation_id == self.organisation_id)
        return [model.created_by_id.in_(members)]


EVERYTHING = Scope()


def scope_for(user) -> Scope | None:
    """Return the report scope of a user, or None when the role may not see reports."""
    if user.role in ("manager", "admin"):
        return EVERYTHING
    if user.role == "team" and user.organisation_id is not None:
        return Scope(user.organisation_id)
    return None


@dataclass
class Summary:
    """The rows of a report, their totals and the theme counts over all rows."""

    rows: list[dict]
    totals: dict
    theme_counts: Counter = field(default_factory=Counter)
    #: Theme counts per buurt code (None for "Onbekend"), for open-data suppression and the buurt report.
    buurt_themes: dict = field(default_factory=dict)


def local_today() -> date:
    """Return today's date in the Netherlands (for "overdue")."""
    return datetime.now(LOCAL_TZ).date()


def _filtered(model, stmt: Select, period_column, period: Period, scope: Scope, buurt_code: str | None) -> Select:
    """Join the buurt (NULL when unknown), drop tombstones, apply period, scope and buurt filters."""
    stmt = stmt.select_from(model).outerjoin(Buurt, Buurt.code == model.buurt_code)
    stmt = stmt.where(model.deleted.is_(False), *period.conditions(period_column), *scope.conditions(model))
    if buurt_code is not None:
        stmt = stmt.where(model.buurt_code == buurt_code)
    return stmt


def _count_if(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def buurt_summary(
    period: Period = Period(),
    scope: Scope = EVERYTHING,
    *,
    today: date | None = None,
    buurt_code: str | None = None,
) -> Summary:
    """Return one row per buurt (and an "Onbekend" row when needed) with the figures of API.md."""
    today = today or local_today()
    figures: dict[str | None, dict] = defaultdict(lambda: dict.fromkeys(COUNT_COLUMNS, 0))
    key = Buurt.code

    conv = _filtered(Conversation, select(key, func.count(), func.coalesce(func.sum(Conversation.residents_count), 0)),
                     Conversation.occurred_at, period, scope, buurt_code).group_by(key)
    for code, count, residents in db.session.execute(conv):
        figures[code].update(conversations=count, residents_reached=int(residents))

    is_open = Signal.status.not_in(CLOSED_STATUSES)
    sig = _filtered(
        Signal,
        select(key, func.count(), _count_if(is_open), _count_if(Signal.status == "done"),
               _count_if(and_(is_open, Signal.due_date < today))),
        Signal.occurred_at, period, scope, buurt_code,
    ).group_by(key)
    for code, total, open_, done, overdue in db.session.execute(sig):
        figures[code].update(signals_total=total, signals_open=int(open_), signals_done=int(done),
                             signals_overdue=int(overdue))

    ideas = _filtered(
        Idea,
        select(key, func.count(), _count_if(Idea.status.in_(GRANTED_STATUSES)),
               func.coalesce(func.sum(Idea.budget_requested_cents), 0),
               func.coalesce(func.sum(Idea.budget_granted_cents), 0),
               func.coalesce(func.sum(Idea.budget_spent_cents), 0)),
        Idea.occurred_at, period, scope, buurt_code,
    ).group_by(key)
    for code, total, granted, requested, granted_cents, spent in db.session.execute(ideas):
        figures[code].update(ideas_total=total, ideas_granted=int(granted), budget_requested_cents=int(requested),
                             budget_granted_cents=int(granted_cents), budget_spent_cents=int(spent))

    gatherings = _filtered(Gathering, select(key, func.count(), func.coalesce(func.sum(Gathering.attendance_count), 0)),
                           Gathering.occurred_at, period, scope, buurt_code).group_by(key)
    for code, count, attendance in db.session.execute(gatherings):
        figures[code].update(gatherings=count, gathering_attendance=int(attendance))

    medians, overall_median = _median_days_to_done(period, scope, buurt_code)
    themes = _theme_counts(period, scope, buurt_code)
    return _assemble(figures, medians, overall_median, themes, buurt_code)


def _assemble(figures, medians, overall_median, themes, buurt_code) -> Summary:
    """Combine the grouped figures with every buurt (zero rows included) and the totals."""
    buurten = select(Buurt.code, Buurt.name, Buurt.wijk_code, Buurt.wijk_name).order_by(Buurt.code)
    if buurt_code is not None:
        buurten = buurten.where(Buurt.code == buurt_code)
    rows = []
    for code, name, wijk_code, wijk_name in db.session.execute(buurten):
        rows.append(_row(code, name, wijk_code, wijk_name, figures.get(code), medians.get(code), themes.get(code)))
    if None in figures or None in themes:
        rows.append(_row(None, UNKNOWN_NAME, None, None, figures.get(None), medians.get(None), themes.get(None)))
    all_themes: Counter = Counter()
    for counter in themes.values():
        all_themes.update(counter)
    totals = {c: sum(row[c] for row in rows) for c in COUNT_COLUMNS}
    totals["median_days_to_done"] = overall_median
    totals["top_themes"] = _top(all_themes)
    return Summary(rows, totals, all_themes, dict(themes))


def _row(code, name, wijk_code, wijk_name, counts, median, themes) -> dict:
    row = {"buurt_code": code, "buurt_name": name, "wijk_code": wijk_code, "wijk_name": wijk_name}
    row.update(counts or dict.fromkeys(COUNT_COLUMNS, 0))
    row["median_days_to_done"] = median
    row["top_themes"] = _top(themes or Counter())
    return {c: row[c] for c in COLUMNS}


def _top(counter: Counter) -> list[str]:
    """Return the most frequent theme codes; ties go to the alphabetically first code."""
    return [code for code, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_THEMES]]


def _median_days_to_done(period, scope, buurt_code) -> tuple[dict[str | None, float], float | None]:
    """Return the median days from creation to done per buurt and over all, rounded to 0.1 day."""
    done = [Signal.status == "done", Signal.done_at.is_not(None)]
    if db.session.get_bind().dialect.name == "postgresql":
        days = func.extract("epoch", Signal.done_at - Signal.created_at) / 86400.0
        median = func.percentile_cont(0.5).within_group(days)
        grouped = _filtered(Signal, select(Buurt.code, median), Signal.occurred_at, period, scope, buurt_code)
        per_buurt = {c: _round(m) for c, m in db.session.execute(grouped.where(*done).group_by(Buurt.code))}
        overall = _filtered(Signal, select(median), Signal.occurred_at, period, scope, buurt_code).where(*done)
        return per_buurt, _round(db.session.scalar(overall))
    # SQLite has no percentile function: fetch the durations (one float per done signal) and take medians here.
    days = func.julianday(Signal.done_at) - func.julianday(Signal.created_at)
    stmt = _filtered(Signal, select(Buurt.code, days), Signal.occurred_at, period, scope, buurt_code).where(*done)
    durations: dict[str | None, list[float]] = defaultdict(list)
    for code, value in db.session.execute(stmt):
        durations[code].append(float(value))
    per_buurt = {c: _round(statistics.median(v)) for c, v in durations.items()}
    everything = [v for values in durations.values() for v in values]
    return per_buurt, _round(statistics.median(everything)) if everything else None


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _theme_counts(period, scope, buurt_code) -> dict[str | None, Counter]:
    """Count theme codes per buurt over conversations.themes, signals.theme and ideas.theme."""
    counts: dict[str | None, Counter] = defaultdict(Counter)
    for model in (Signal, Idea):
        stmt = _filtered(model, select(Buurt.code, model.theme, func.count()), model.occurred_at, period, scope,
                         buurt_code).where(model.theme.is_not(None), model.theme != "")
        for code, theme, n in db.session.execute(stmt.group_by(Buurt.code, model.theme)):
            counts[code][theme] += n
    if db.session.get_bind().dialect.name == "postgresql":
        elements = func.jsonb_array_elements_text(Conversation.themes).table_valued("value").lateral("t")
        is_list = func.jsonb_typeof(Conversation.themes) == "array"
    else:
        elements = func.json_each(Conversation.themes).table_valued("value").alias("t")
        is_list = func.json_type(Conversation.themes) == "array"
    stmt = _filtered(Conversation, select(Buurt.code, elements.c.value, func.count()), Conversation.occurred_at,
                     period, scope, buurt_code)
    stmt = stmt.join(elements, true()).where(is_list).group_by(Buurt.code, elements.c.value)
    for code, theme, n in db.session.execute(stmt):
        if theme:
            counts[code][str(theme)] += n
    return counts


def theme_labels() -> dict[str, str]:
    """Return the Dutch label of every theme code."""
    return dict(db.session.execute(select(Theme.code, Theme.label).order_by(Theme.sort_order, Theme.code)).all())


def open_data(summary: Summary) -> Summary:
    """Return a copy fit for publication: counts below 5 become None, rare themes are left out.

    A median or a budget sum rests on few records when its count is small, so it is suppressed with
    the count it derives from. Names of buurten and wijken are public CBS data and stay.
    """

    def suppress(value, basis):
        return value if basis is not None and basis >= OPEN_DATA_THRESHOLD else None

    def publish(row: dict, theme_counts: Counter) -> dict:
        out = dict(row)
        for column in COUNT_COLUMNS:
            if column.startswith("budget_"):
                continue
            out[column] = suppress(row[column], row[column])
        out["median_days_to_done"] = suppress(row["median_days_to_done"], row["signals_done"])
        out["budget_requested_cents"] = suppress(row["budget_requested_cents"], row["ideas_total"])
        out["budget_granted_cents"] = suppress(row["budget_granted_cents"], row["ideas_granted"])
        out["top_themes"] = [t for t in row["top_themes"] if theme_counts.get(t, 0) >= OPEN_DATA_THRESHOLD]
        return out

    rows = [publish(row, summary.buurt_themes.get(row["buurt_code"], Counter())) for row in summary.rows]
    totals = publish(summary.totals, summary.theme_counts)
    published = Counter({t: n for t, n in summary.theme_counts.items() if n >= OPEN_DATA_THRESHOLD})
    return Summary(rows, totals, published, {})


def quarters(period: Period, today: date | None = None, limit: int = 40) -> list[Period]:
    """Return the calendar quarters that overlap the period (the last 8 when it is open), oldest first."""
    end = period.end or today or local_today()
    start = period.start
    if start is None:
        start = _quarter_start(end)
        for _ in range(7):
            start = _quarter_start(start - timedelta(days=1))
    result = []
    cursor = _quarter_start(start)
    while cursor <= end and len(result) < limit:
        following = _quarter_start(cursor + timedelta(days=95))
        result.append(Period(cursor, following - timedelta(days=1)))
        cursor = following
    return result


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarterly_trend(period: Period, scope: Scope = EVERYTHING, buurt_code: str | None = None,
                    today: date | None = None) -> list[dict]:
    """Return figures per calendar quarter: one query per entity with one column per quarter."""
    periods = quarters(period, today)
    if not periods:
        return []
    whole = Period(periods[0].start, periods[-1].end)

    def per_quarter(model, column, value=None) -> list[list[int]]:
        cols = []
        for q in periods:
            inside = and_(*q.conditions(column))
            cols.append(func.coalesce(func.sum(case((inside, value if value is not None else 1), else_=0)), 0))
        stmt = _filtered(model, select(*cols), column, whole, scope, buurt_code)
        return [int(v) for v in db.session.execute(stmt).one()]

    conversations = per_quarter(Conversation, Conversation.occurred_at)
    residents = per_quarter(Conversation, Conversation.occurred_at, Conversation.residents_count)
    signals = per_quarter(Signal, Signal.occurred_at)
    done = per_quarter(Signal, Signal.occurred_at, case((Signal.status == "done", 1), else_=0))
    ideas = per_quarter(Idea, Idea.occurred_at)
    granted = per_quarter(Idea, Idea.occurred_at, case((Idea.status.in_(GRANTED_STATUSES), 1), else_=literal(0)))
    return [
        {
            "quarter": f"{q.start.year}-K{(q.start.month - 1) // 3 + 1}",
            "from": q.start.isoformat(), "to": q.end.isoformat(),
            "conversations": conversations[i], "residents_reached": residents[i],
            "signals_total": signals[i], "signals_done": done[i],
            "ideas_total": ideas[i], "ideas_granted": granted[i],
        }
        for i, q in enumerate(periods)
    ]
