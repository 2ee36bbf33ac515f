"""The page /beheer/buurten: import a buurt file, dry run first (counts and a map of what changes), then apply.

Server-rendered over the same `app.buurten.importer.run_import` as the CLI and POST /api/v1/buurten/import.
The file travels from the dry run to the apply step in the apply form (gzip + base64), so no state
is kept on the server between the two; the apply step checks the whole file again.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from shapely.geometry import mapping
from sqlalchemy import func, select

from app.accounts.auth import csrf_token
from app.beheer.guard import admin_pages_only
from app.buurten.importer import ImportPlan, run_import
from app.extensions import db
from app.models import Buurt
from geo.buurten import BuurtFileError
from geo.simplify import simplify_metres

blp = Blueprint("beheer_buurten", __name__, url_prefix="/beheer/buurten")

#: Outlines on the dry-run map are simplified to this many metres: enough to see what moved.
MAP_SIMPLIFY_M = 5
#: Buurten listed by name per kind of change; the counts always cover all of them.
LIST_LIMIT = 200


blp.before_request(admin_pages_only)


def _page(status: int = 200, **context):
    count = db.session.scalar(select(func.count()).select_from(Buurt))
    response = make_response(render_template("beheer/buurten.html", csrf_token=csrf_token(), buurten_count=count,
                                              tile_url=current_app.config["TILE_URL"],
                                              tile_attribution=current_app.config["TILE_ATTRIBUTION"], **context),
                             status)
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("")
def form():
    """Show the upload form (and the outcome of an import just applied)."""
    return _page()


@blp.post("/proef")
def dry_run():
    """Check an uploaded file and show what importing it would change, with the form that applies it."""
    upload = request.files.get("file")
    replace = request.form.get("replace") == "ja"
    if upload is None or not upload.filename:
        return _page(400, problems=["Kies een bestand."], replace=replace)
    data = upload.read()
    try:
        plan, result = run_import(io.BytesIO(data), replace=replace, dry_run=True, actor=current_user,
                                  filename=upload.filename)
    except BuurtFileError as exc:
        return _page(400, problems=exc.problems, filename=upload.filename, replace=replace)
    return _page(plan=plan, repaired=result.repaired, changes=_changes(plan), map_data=_map_data(plan),
                 payload=base64.b64encode(gzip.compress(data, 6)).decode(), filename=upload.filename,
                 replace=replace)


@blp.post("/uitvoeren")
def apply():
    """Apply the file of a dry run: everything or nothing, then back to the form with the figures."""
    replace = request.form.get("replace") == "ja"
    filename = request.form.get("filename", "")[:200]
    try:
        data = gzip.decompress(base64.b64decode(request.form.get("payload", ""), validate=True))
    except (binascii.Error, OSError, EOFError):
        return _page(400, problems=["Het bestand van de proefimport is niet meegekomen; begin opnieuw."])
    try:
        plan, _result = run_import(io.BytesIO(data), replace=replace, dry_run=False, actor=current_user,
                                   filename=filename)
    except BuurtFileError as exc:
        return _page(400, problems=exc.problems, filename=filename, replace=replace)
    counts = plan.counts()
    flash(f"Import van {filename} uitgevoerd: {counts['added']} buurten toegevoegd, {counts['changed']} gewijzigd, "
          f"{counts['removed']} verwijderd; {counts['records_remapped']} records naar een andere buurt verplaatst.")
    return redirect(url_for("beheer_buurten.form"))


def _changes(plan: ImportPlan) -> dict[str, list[tuple[str, str]]]:
    """Return (code, name) of the added, changed and removed buurten, at most LIST_LIMIT of each."""
    names = {f.code: f.name for f in plan.features}
    shown = plan.removed[:LIST_LIMIT]
    gone = dict(db.session.execute(select(Buurt.code, Buurt.name).where(Buurt.code.in_(shown))).all())
    return {
        "added": [(c, names[c]) for c in plan.added[:LIST_LIMIT]],
        "changed": [(c, names[c]) for c in plan.changed[:LIST_LIMIT]],
        "removed": [(c, gone.get(c, c)) for c in shown],
    }


def _map_data(plan: ImportPlan) -> dict:
    """Return a FeatureCollection of what changes: new outlines (added, changed) and old ones (changed, removed)."""
    by_code = {f.code: f for f in plan.features}
    features = []

    def add(code: str, kind: str, geometry) -> None:
        features.append({"type": "Feature", "geometry": mapping(simplify_metres(geometry, MAP_SIMPLIFY_M)),
                         "properties": {"code": code, "name": by_code[code].name if code in by_code else code,
                                        "kind": kind}})

    for code in plan.changed:
        add(code, "old", plan.old_outlines[code])
        add(code, "changed", by_code[code].geometry)
    for code in plan.added:
        add(code, "added", by_code[code].geometry)
    for code in plan.removed:
        add(code, "removed", plan.old_outlines[code])
    return {"type": "FeatureCollection", "features": features, "attribution": "Bron: CBS / Kadaster"}
