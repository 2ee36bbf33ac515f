"""The /beheer pages: server-rendered forms over the same logic as the administration API."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.beheer import audit, catalogue, people
from app.beheer.buurtkeuze import buurten_by_wijk, chosen_buurten_svg
from app.beheer.guard import admin_pages_only, template_globals
from app.beheer.quarantine import quarantine_items, resolve_quarantined
from app.errors import ApiError
from app.extensions import db
from app.models import ROLES_ORDER, Organisation, ResidentContact, User, utcnow
from app.records.privacy import purge_expired_contacts
from offline_sync.vocabulary import DOMAIN, ORGANISATION_KIND, ORGANISATION_KINDS, THEME_DOMAINS

blp = Blueprint("beheer", __name__, url_prefix="/beheer")
blp.before_request(admin_pages_only)
blp.context_processor(template_globals)


def _labels() -> dict:
    return {"role_labels": people.ROLE_LABELS, "kind_labels": ORGANISATION_KIND,
            "domain_labels": DOMAIN, "roles": ROLES_ORDER, "kinds": ORGANISATION_KINDS,
            "domains": THEME_DOMAINS}


def _page(template: str, status: int = 200, **context):
    response = make_response(render_template(f"beheer/{template}", **_labels(), **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _person(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _form_errors(exc: ApiError) -> list[str]:
    """Flatten a problem into sentences for the top of a form."""
    if exc.errors:
        return [m for messages in exc.errors.values() for m in messages]
    return [exc.description]


@blp.get("")
@blp.get("/")
def home():
    """Beheer starts with the people."""
    return redirect(url_for("beheer.people_list"))


# --- Mensen ---------------------------------------------------------------------------------------


def _people_filter() -> people.PeopleFilter:
    args = request.args
    role = args.get("rol") if args.get("rol") in ROLES_ORDER else None
    try:
        org = uuid.UUID(args["organisatie"]) if args.get("organisatie") else None
    except ValueError:
        org = None
    active = {"ja": True, "nee": False}.get(args.get("actief", "ja"))
    return people.PeopleFilter(args.get("q", "")[:200], role, org, active)


@blp.get("/mensen")
def people_list():
    """List, search and filter people."""
    flt = _people_filter()
    users = people.list_people(flt)
    return _page("people.html", users=users, last_seen=people.last_seen(users), flt=flt,
                 actief=request.args.get("actief", "ja"), organisations=catalogue.organisations())


def _person_form() -> dict:
    form = request.form
    org = form.get("organisation") or None
    try:
        org_id = uuid.UUID(org) if org else None
    except ValueError:
        org_id = None
    return {"email": form.get("email", "").strip(), "name": form.get("name", "").strip(),
            "role": form.get("role", ""), "organisation": org_id, "buurten": form.getlist("buurten")}


def _check_person_form(data: dict, new: bool) -> list[str]:
    errors = []
    if new and ("@" not in data["email"] or len(data["email"]) > 320):
        errors.append("Vul een geldig e-mailadres in.")
    if not data["name"] or len(data["name"]) > 200:
        errors.append("Vul een naam in (hoogstens 200 tekens).")
    if data["role"] not in ROLES_ORDER:
        errors.append("Kies een rol.")
    return errors


def _person_form_page(template: str, data: dict, errors: list[str], status: int = 200, **extra):
    return _page(template, status, data=data, errors=errors, organisations=catalogue.organisations(),
                 wijken=buurten_by_wijk(), buurten_map=chosen_buurten_svg(data.get("buurten", [])), **extra)


@blp.route("/mensen/nieuw", methods=["GET", "POST"])
def person_new():
    """Add a person; the generated password is shown once."""
    if request.method == "GET":
        return _person_form_page("person_new.html", {"role": "field_worker", "buurten": []}, [])
    data = _person_form()
    if errors := _check_person_form(data, new=True):
        return _person_form_page("person_new.html", data, errors, 400)
    try:
        user, password = people.create_person(current_user, data["email"], data["name"], data["role"],
                                              data["organisation"], data["buurten"])
    except ApiError as exc:
        db.session.rollback()
        return _person_form_page("person_new.html", data, _form_errors(exc), exc.code)
    db.session.commit()
    return _page("password_once.html", user=user, password=password, created=True)


@blp.route("/mensen/<uuid:user_id>", methods=["GET", "POST"])
def person_edit(user_id: uuid.UUID):
    """Change a person's name, role, organisation and buurten; see and sign out their devices."""
    user = _person(user_id)
    extra = {"user": user, "devices": people.devices(user), "last_seen": people.last_seen([user])[user.id]}
    if request.method == "GET":
        data = {"name": user.name, "role": user.role, "organisation": user.organisation_id,
                "buurten": user.buurten}
        return _person_form_page("person_edit.html", data, [], **extra)
    data = _person_form()
    if errors := _check_person_form(data, new=False):
        return _person_form_page("person_edit.html", data, errors, 400, **extra)
    try:
        people.update_person(current_user, user, {k: data[k] for k in ("name", "role", "organisation", "buurten")})
    except ApiError as exc:
        db.session.rollback()
        return _person_form_page("person_edit.html", data, _form_errors(exc), exc.code, **extra)
    db.session.commit()
    flash(f"De gegevens van {user.name} zijn opgeslagen.")
    return redirect(url_for("beheer.person_edit", user_id=user.id))


@blp.route("/mensen/<uuid:user_id>/deactiveren", methods=["GET", "POST"])
def person_deactivate(user_id: uuid.UUID):
    """Confirm, then deactivate: every device signed out at once; their records stay."""
    user = _person(user_id)
    if request.method == "GET":
        return _page("confirm_deactivate.html", user=user, devices=people.devices(user))
    try:
        people.update_person(current_user, user, {"active": False})
    except ApiError as exc:
        db.session.rollback()
        return _page("confirm_deactivate.html", exc.code, user=user, devices=people.devices(user),
                     errors=_form_errors(exc))
    db.session.commit()
    flash(f"{user.name} is gedeactiveerd en op alle apparaten afgemeld.")
    return redirect(url_for("beheer.person_edit", user_id=user.id))


@blp.post("/mensen/<uuid:user_id>/activeren")
def person_reactivate(user_id: uuid.UUID):
    """Make a person active again (they sign in with their password or a new one)."""
    user = _person(user_id)
    people.update_person(current_user, user, {"active": True})
    db.session.commit()
    flash(f"{user.name} is weer actief.")
    return redirect(url_for("beheer.person_edit", user_id=user.id))


@blp.route("/mensen/<uuid:user_id>/wachtwoord", methods=["GET", "POST"])
def person_password(user_id: uuid.UUID):
    """Confirm, then give a person a new generated password (shown once)."""
    user = _person(user_id)
    if request.method == "GET":
        return _page("confirm_password.html", user=user)
    password = people.reset_password(current_user, user)
    db.session.commit()
    return _page("password_once.html", user=user, password=password, created=False)


@blp.post("/mensen/<uuid:user_id>/apparaten/<uuid:token_id>/afmelden")
def person_device_revoke(user_id: uuid.UUID, token_id: uuid.UUID):
    """Sign one device of a person out."""
    user = _person(user_id)
    try:
        token = people.revoke_device(current_user, user, token_id)
    except ApiError:
        abort(404)
    db.session.commit()
    flash(f"Apparaat ‘{token.name}’ is afgemeld.")
    return redirect(url_for("beheer.person_edit", user_id=user.id))


# --- Organisaties en thema's ------------------------------------------------------------------------


@blp.route("/organisaties", methods=["GET", "POST"])
def organisations():
    """List organisations and add one."""
    errors: list[str] = []
    if request.method == "POST":
        name, kind = request.form.get("name", "").strip(), request.form.get("kind", "other")
        if not name or len(name) > 200 or kind not in ORGANISATION_KINDS:
            errors.append("Vul een naam in (hoogstens 200 tekens) en kies een soort.")
        else:
            try:
                catalogue.create_organisation(current_user, name, kind)
                db.session.commit()
                flash(f"Organisatie {name} is toegevoegd.")
                return redirect(url_for("beheer.organisations"))
            except ApiError as exc:
                db.session.rollback()
                errors = _form_errors(exc)
    counts = dict(db.session.execute(select(User.organisation_id, func.count()).group_by(User.organisation_id)).all())
    return _page("organisations.html", 400 if errors else 200, organisations=catalogue.organisations(),
                 counts=counts, errors=errors)


@blp.post("/organisaties/<uuid:org_id>")
def organisation_update(org_id: uuid.UUID):
    """Rename an organisation or change its kind."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    name, kind = request.form.get("name", "").strip(), request.form.get("kind", org.kind)
    if not name or len(name) > 200 or kind not in ORGANISATION_KINDS:
        flash("Vul een naam in (hoogstens 200 tekens) en kies een soort.", "error")
        return redirect(url_for("beheer.organisations"))
    try:
        catalogue.update_organisation(current_user, org, {"name": name, "kind": kind})
        db.session.commit()
        flash(f"Organisatie {name} is opgeslagen.")
    except ApiError as exc:
        db.session.rollback()
        flash(exc.description, "error")
    return redirect(url_for("beheer.organisations"))


@blp.route("/themas", methods=["GET", "POST"])
def themes():
    """List themes (retired ones too) and add one."""
    errors: list[str] = []
    if request.method == "POST":
        code, label = request.form.get("code", "").strip(), request.form.get("label", "").strip()
        domain = request.form.get("domain", "")
        if not re.fullmatch(catalogue.THEME_CODE, code):
            errors.append("De code bestaat uit kleine letters, cijfers en _, en begint met een letter.")
        if not label or len(label) > 200:
            errors.append("Vul een naam in (hoogstens 200 tekens).")
        if domain not in THEME_DOMAINS:
            errors.append("Kies een domein.")
        if not errors:
            try:
                catalogue.create_theme(current_user, code, label, domain)
                db.session.commit()
                flash(f"Thema {label} is toegevoegd.")
                return redirect(url_for("beheer.themes"))
            except ApiError as exc:
                db.session.rollback()
                errors = _form_errors(exc)
    return _page("themes.html", 400 if errors else 200, themes=catalogue.themes(), errors=errors)


@blp.post("/themas/<string:code>")
def theme_update(code: str):
    """Rename a theme, change its domain, or retire / restore it."""
    try:
        item = catalogue.theme(code)
    except ApiError:
        abort(404)
    changes: dict = {}
    if "active" in request.form:
        changes["active"] = request.form["active"] == "1"
    else:
        label, domain = request.form.get("label", "").strip(), request.form.get("domain", item.domain)
        if not label or len(label) > 200 or domain not in THEME_DOMAINS:
            flash("Vul een naam in (hoogstens 200 tekens) en kies een domein.", "error")
            return redirect(url_for("beheer.themes"))
        changes = {"label": label, "domain": domain}
    catalogue.update_theme(current_user, item, changes)
    db.session.commit()
    flash(f"Thema {item.label} is opgeslagen." if "active" not in changes else
          f"Thema {item.label} wordt {'weer' if item.active else 'niet meer'} aangeboden.")
    return redirect(url_for("beheer.themes"))


# --- Afgewezen mutaties, inzage, bewaartermijn, logboek -----------------------------------------------


@blp.get("/afgewezen")
def quarantine():
    """The rejected mutations with the reason in Dutch and the payload without contact values."""
    resolved = request.args.get("afgehandeld") == "ja"
    return _page("quarantine.html", items=quarantine_items(resolved), resolved=resolved)


@blp.post("/afgewezen/<int:item_id>/afgehandeld")
def quarantine_resolve(item_id: int):
    """Mark a rejected mutation as handled."""
    if not resolve_quarantined(current_user, item_id):
        abort(404)
    db.session.commit()
    flash("De afgewezen mutatie is als afgehandeld gemarkeerd.")
    return redirect(url_for("beheer.quarantine"))


@blp.get("/inzage")
def contact_access():
    """Who read (or tried to read) which resident's contact details, when."""
    return _page("contact_access.html", items=audit.contact_access_items(500))


@blp.route("/bewaartermijn", methods=["GET", "POST"])
def retention():
    """How many contact details are past their retention period; remove them now."""
    if request.method == "POST":
        removed = purge_expired_contacts()
        audit.record_admin_action(current_user, "retention.purge", "resident_contacts", None, {"removed": removed})
        db.session.commit()
        flash(f"{removed} contactgegevens van bewoners verwijderd.")
        return redirect(url_for("beheer.retention"))
    due = purge_expired_contacts(dry_run=True)
    total = db.session.scalar(select(func.count()).select_from(ResidentContact))
    upcoming = db.session.scalar(select(func.min(ResidentContact.purge_after))
                                 .where(ResidentContact.purge_after > utcnow()))
    return _page("retention.html", due=due, total=total, upcoming=upcoming)


@blp.get("/logboek")
def audit_log():
    """Every admin action: who, what, when, before and after."""
    return _page("audit_log.html", items=[audit.action_item(r) for r in audit.admin_actions(500)])


LOCAL_TZ = ZoneInfo("Europe/Amsterdam")


@blp.app_template_filter("beheer_time")
def beheer_time(value) -> str:
    """Format a time (datetime or ISO text) as Dutch local time: 28-11-2026 07:05."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(LOCAL_TZ).strftime("%d-%m-%Y %H:%M")


@blp.app_template_filter("beheer_value")
def beheer_value(value) -> str:
    """Format a value of the audit log for reading."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)
