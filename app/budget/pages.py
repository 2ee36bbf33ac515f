"""`/budget`: the manager's pages for the buurtbudget (server-rendered, work without JavaScript).

Budgets with amount, granted, spent and remaining; creating one; per budget the review queue of
applications (oldest first) with grant, decline with a reason and ask for more; and the granted
initiatives, followed to realised with the amount spent and a photo. Every decision goes through
the sync engine (`sync_service.change`), so the budget rules and the row lock apply as for the API
and the coordinator's phone receives the decision in its next pull.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts.auth import csrf_token
from app.budget import logic
from app.budget.api import create_budget
from app.database import write_transaction
from app.errors import ApiError
from app.extensions import db
from app.models import Attachment, Budget
from app.reports.summary import Period, local_today, scope_for
from app.sync import service as sync_service
from app.sync.attachments import MAX_BYTES, strip_metadata
from app.sync.photo_access import record_upload
from offline_sync import vocabulary
from offline_sync.budget import APPLICATION, COMMITTED_STATUSES, euro, parse_euro

blp = Blueprint("budget", __name__, template_folder="templates")

DECIDING = ("manager", "admin")


def _managers_only():
    """Send visitors to sign in; refuse roles other than manager and admin. None: may continue."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login_page", next=request.full_path.rstrip("?")))
    if current_user.role not in DECIDING:
        abort(403)
    return None


def _check_form_csrf() -> None:
    """Refuse a form post without this session's CSRF token (forms outside /api/ are checked here)."""
    expected = session.get("csrf")
    sent = request.form.get("csrf_token", "")
    if not (expected and hmac.compare_digest(expected, sent)):
        abort(400, "Het formulier is verlopen; laad de pagina opnieuw.")


@blp.app_template_filter("euro")
def _euro_filter(cents: int | None) -> str:
    return "—" if cents is None else euro(cents)


def _render(template: str, **context):
    return render_template(template, csrf_token=csrf_token(), labels={
        "status": vocabulary.STATUS["idea"], "setting": vocabulary.SETTING, "support": vocabulary.SUPPORT,
        "requirements": vocabulary.REQUIREMENT}, **context)


@blp.get("/budget")
def index():
    """List the budgets with amount, granted, spent and remaining; a form to create one."""
    if (refused := _managers_only()) is not None:
        return refused
    return _render("budget/index.html", budgets=logic.budgets(), wijken=logic.wijk_names(),
                   default_year=local_today().year)


@blp.post("/budget")
def create():
    """Create a budget from the form (amount in Dutch notation)."""
    if (refused := _managers_only()) is not None:
        return refused
    _check_form_csrf()
    form = request.form
    errors = {}
    name = form.get("name", "").strip()
    if not name or len(name) > 200:
        errors["name"] = "Geef het budget een naam (hoogstens 200 tekens)."
    try:
        year = int(form.get("year", ""))
        if not 2000 <= year <= 2200:
            raise ValueError
    except ValueError:
        errors["year"] = "Vul een jaar in, bijvoorbeeld 2026."
    try:
        amount = parse_euro(form.get("amount", ""))
    except ValueError as exc:
        errors["amount"] = str(exc)
    wijk = form.get("wijk_code") or None
    if wijk is not None and wijk not in logic.wijk_names():
        errors["wijk_code"] = "Onbekende wijk."
    if errors:
        return _render("budget/index.html", budgets=logic.budgets(), wijken=logic.wijk_names(), errors=errors,
                       form=form, default_year=local_today().year), 400
    budget = create_budget({"year": year, "name": name, "amount_cents": amount, "wijk_code": wijk})
    flash(f"Budget '{budget.name}' aangemaakt: {euro(amount)}.")
    return redirect(url_for("budget.detail", budget_id=budget.id), 303)


@blp.get("/budget/<uuid:budget_id>")
def detail(budget_id: uuid.UUID):
    """One budget: its figures, the review queue (oldest first) and the granted initiatives."""
    if (refused := _managers_only()) is not None:
        return refused
    budget = db.session.get(Budget, budget_id)
    if budget is None:
        abort(404)
    figures = next(b for b in logic.budgets(budget.year) if b["id"] == budget.id)
    return _render("budget/detail.html", budget=figures, queue=logic.ideas_of(budget, (APPLICATION,)),
                   granted=logic.ideas_of(budget, COMMITTED_STATUSES))


def _decide(budget_id: uuid.UUID, idea_id: uuid.UUID, fields: dict, success: str):
    """Apply a change to an idea through the engine; flash the outcome and return to the budget."""
    try:
        sync_service.change(current_user, "idea", str(idea_id), _version(), fields)
    except ApiError as exc:
        reasons = [m for messages in (exc.errors or {}).values() for m in _flat(messages)]
        flash(" ".join(reasons) or exc.detail, "error")
    else:
        flash(success)
    return redirect(url_for("budget.detail", budget_id=budget_id) + f"#idea-{idea_id}", 303)


def _followup(budget_id: uuid.UUID, idea_id: uuid.UUID, status_to: str, success: str):
    text = request.form.get("text", "").strip()
    if not text:
        flash("Schrijf een toelichting voor de coördinator.", "error")
        return redirect(url_for("budget.detail", budget_id=budget_id) + f"#idea-{idea_id}", 303)
    values = {"parent_entity": "idea", "parent_id": str(idea_id), "text": text[:20_000], "status_to": status_to,
              "parent_version": _version()}
    try:
        sync_service.change(current_user, "followup", str(uuid.uuid4()), None, values)
    except ApiError as exc:
        flash(" ".join(m for v in (exc.errors or {}).values() for m in _flat(v)) or exc.detail, "error")
    else:
        flash(success)
    return redirect(url_for("budget.detail", budget_id=budget_id), 303)


def _flat(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flat(v)]
    return list(messages) if isinstance(messages, list) else [str(messages)]


def _version() -> int:
    try:
        return max(0, int(request.form.get("version", "0")))
    except ValueError:
        return 0


def _amount(field: str) -> int | None:
    try:
        return parse_euro(request.form.get(field, ""))
    except ValueError as exc:
        flash(str(exc), "error")
        return None


@blp.post("/budget/<uuid:budget_id>/ideas/<uuid:idea_id>/grant")
def grant(budget_id: uuid.UUID, idea_id: uuid.UUID):
    """Grant an application from this budget (checked against remaining inside the transaction)."""
    if (refused := _managers_only()) is not None:
        return refused
    _check_form_csrf()
    cents = _amount("amount")
    if cents is None:
        return redirect(url_for("budget.detail", budget_id=budget_id) + f"#idea-{idea_id}", 303)
    fields = {"status": "granted", "budget_id": str(budget_id), "budget_granted_cents": cents}
    return _decide(budget_id, idea_id, fields, f"Toegekend: {euro(cents)}.")


@blp.post("/budget/<uuid:budget_id>/ideas/<uuid:idea_id>/decline")
def decline(budget_id: uuid.UUID, idea_id: uuid.UUID):
    """Decline an application with a reason (a followup the coordinator sees)."""
    if (refused := _managers_only()) is not None:
        return refused
    _check_form_csrf()
    return _followup(budget_id, idea_id, "declined", "Aanvraag afgewezen; de coördinator ziet de reden.")


@blp.post("/budget/<uuid:budget_id>/ideas/<uuid:idea_id>/ask")
def ask(budget_id: uuid.UUID, idea_id: uuid.UUID):
    """Ask for more: the application goes back to 'in gesprek' with a note."""
    if (refused := _managers_only()) is not None:
        return refused
    _check_form_csrf()
    return _followup(budget_id, idea_id, "in_conversation", "Teruggestuurd naar 'in gesprek' met uw vraag.")


@blp.post("/budget/<uuid:budget_id>/ideas/<uuid:idea_id>/realise")
def realise(budget_id: uuid.UUID, idea_id: uuid.UUID):
    """Mark a granted initiative realised with the amount spent and, optionally, a photo."""
    if (refused := _managers_only()) is not None:
        return refused
    _check_form_csrf()
    cents = _amount("spent")
    if cents is None:
        return redirect(url_for("budget.detail", budget_id=budget_id) + f"#idea-{idea_id}", 303)
    fields: dict = {"status": "realised", "budget_spent_cents": cents}
    upload = request.files.get("photo")
    if upload is not None and upload.filename:
        try:
            sha = _store_photo(upload.read(MAX_BYTES + 1))
        except ApiError as exc:
            flash(exc.detail, "error")
            return redirect(url_for("budget.detail", budget_id=budget_id) + f"#idea-{idea_id}", 303)
        record = sync_service.visible_record(current_user, "idea", idea_id) or {}
        db.session.rollback()
        fields["photos"] = [*record.get("photos", []), sha][-50:]
    return _decide(budget_id, idea_id, fields, f"Gerealiseerd; besteed {euro(cents)}.")


def _store_photo(data: bytes) -> str:
    """Store an uploaded photo without metadata under the SHA-256 of its bytes; return that name."""
    if len(data) > MAX_BYTES:
        raise ApiError(413, "De foto is groter dan 10 MB.")
    sha = hashlib.sha256(data).hexdigest()
    with write_transaction(db.session()):
        if db.session.scalar(select(Attachment.sha256).where(Attachment.sha256 == sha)) is None:
            clean, content_type, width, height = strip_metadata(data)
            db.session.add(Attachment(sha256=sha, content_type=content_type, size_bytes=len(clean), width=width,
                                      height=height, data=clean, created_by_id=current_user.id))
        record_upload(current_user.id, sha)  # this user holds the bytes, so the idea may name the photo
    return sha


TEAM_ROLES = ("team", "manager", "admin")


@blp.get("/bijeenkomsten")
def gatherings():
    """List a year's bijeenkomsten per buurt with attendance and the conversations, signals and ideas from them."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login_page", next=request.full_path.rstrip("?")))
    scope = scope_for(current_user)
    if scope is None or current_user.role not in TEAM_ROLES:
        abort(403)
    try:
        year = int(request.args.get("jaar", local_today().year))
    except ValueError:
        year = local_today().year
    year = min(2200, max(1900, year))
    items = logic.gatherings_with_yield(Period(date(year, 1, 1), date(year, 12, 31)), scope)
    per_buurt: dict = {}
    for item in items:
        per_buurt.setdefault(item.buurt_name or "Onbekende buurt", []).append(item)
    return _render("budget/gatherings.html", year=year, per_buurt=sorted(per_buurt.items()),
                   total=len(items), attendance=sum(i.gathering.attendance_count for i in items),
                   kinds=vocabulary.GATHERING_KIND, signal_status=vocabulary.STATUS["signal"])
