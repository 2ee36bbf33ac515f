"""Buurten in the database: import (plan, then apply), the cached point -> buurt index, assignment to records."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import bindparam, delete, func, insert, select, update

from app.database import write_transaction
from app.extensions import db
from app.models import ENTITIES, Buurt, BuurtAssignment, RecordChange, User, utcnow
from geo.buurten import BuurtFeature, ReadResult, read_buurten
from geo.index import BuurtIndex
from offline_sync.sequence import allocate_change_seq

#: `source` of the history entries an import writes: a change by the system, not by a person.
IMPORT_SOURCE = "buurten_import"


@dataclass
class Remap:
    """One record whose buurt an import changes."""

    entity: str
    record_id: uuid.UUID
    version: int
    old: str | None
    new: str | None


@dataclass
class ImportPlan:
    """What importing a buurt file would do; `apply_plan` carries it out.

    `added`, `changed` and `removed` are buurt codes (changed: outline or names differ); `remaps` are
    the records whose buurt changes, followups included (they carry their parent's buurt).
    """

    features: list[BuurtFeature]
    replace: bool
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    remaps: list[Remap] = field(default_factory=list)
    #: The outlines stored before the import, of the changed and removed buurten.
    old_outlines: dict[str, BaseGeometry] = field(default_factory=dict)

    @property
    def records_remapped(self) -> int:
        return len(self.remaps)

    def counts(self) -> dict[str, int]:
        """Return the figures of API.md: added, removed, changed, records_remapped."""
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed),
                "records_remapped": self.records_remapped}


def run_import(source: str | os.PathLike[str] | IO[bytes], *, replace: bool, dry_run: bool, actor: User | None,
               srid: int | None = None, filename: str = "") -> tuple[ImportPlan, ReadResult]:
    """Read a buurt file and import it: the one path of the CLI, the API and the /beheer page.

    Raises BuurtFileError (nothing changed) when the file has problems. A dry run only plans. A real
    import plans and applies in one write transaction, with its entry in the admin audit log, and
    commits; an error anywhere leaves everything as it was.
    """
    result = read_buurten(source, srid)
    if dry_run:
        try:
            return import_buurten(result.features, replace=replace, dry_run=True), result
        finally:
            db.session.rollback()
    with write_transaction(db.session()):
        plan = import_buurten(result.features, replace=replace)
        audit_buurten_import(actor, plan, filename, len(result.repaired))
    return plan, result


def audit_buurten_import(actor: User | None, plan: ImportPlan, filename: str, repaired: int) -> None:
    """Write an applied import to the admin audit log (actor None: the command line), in its transaction."""
    from app.beheer.audit import record_admin_action  # noqa: PLC0415 - the shared audit log of /beheer

    record_admin_action(actor, "buurten.import", ("buurten", "", filename or "buurten"), None,
                        {**plan.counts(), "replace": plan.replace, "repaired": repaired})


def import_buurten(features: Sequence[BuurtFeature], replace: bool = False, dry_run: bool = False) -> ImportPlan:
    """Plan an import and, unless `dry_run`, apply it, in the caller's transaction (the caller commits).

    Without `replace`, buurten not in the file are kept; with it they are removed. The CLI, the API
    and the admin page all come through here.
    """
    if not dry_run:
        # Serialise with pushes (they lock the feed counter first), so the plan's versions hold.
        allocate_change_seq(db.session, 0)
    plan = plan_import(features, replace)
    if not dry_run:
        apply_plan(plan)
    return plan


def plan_import(features: Sequence[BuurtFeature], replace: bool) -> ImportPlan:
    """Compare a file's buurten with the database and work out which records would move; write nothing."""
    plan = ImportPlan(features=list(features), replace=replace)
    existing = {b.code: b for b in db.session.scalars(select(Buurt))}
    outlines = {code: to_shape(b.geom) for code, b in existing.items()}
    for feature in plan.features:
        row = existing.get(feature.code)
        if row is None:
            plan.added.append(feature.code)
        elif _differs(row, outlines[feature.code], feature):
            plan.changed.append(feature.code)
            plan.old_outlines[feature.code] = outlines[feature.code]
        else:
            plan.unchanged += 1
    if replace:
        plan.removed = sorted(set(existing) - {f.code for f in plan.features})
        plan.old_outlines.update({code: outlines[code] for code in plan.removed})
    plan.added.sort()
    plan.changed.sort()
    removed = set(plan.removed)
    after = {code: geom for code, geom in outlines.items() if code not in removed}
    after.update({f.code: f.geometry for f in plan.features})
    plan.remaps = _remaps(BuurtIndex(list(after.items())))
    return plan


def _differs(row: Buurt, outline: BaseGeometry, feature: BuurtFeature) -> bool:
    names = (row.name, row.wijk_code, row.wijk_name, row.gemeente_code, row.gemeente_name)
    if names != (feature.name, feature.wijk_code, feature.wijk_name, feature.gemeente_code, feature.gemeente_name):
        return True
    return not shapely.equals_exact(shapely.normalize(outline), shapely.normalize(feature.geometry), tolerance=1e-9)


def _remaps(index: BuurtIndex) -> list[Remap]:
    """Return every located record whose buurt by `index` differs from its stored one, and their followups."""
    remaps: list[Remap] = []
    for entity, model in ENTITIES.items():
        if not hasattr(model, "location"):
            continue
        rows = db.session.execute(
            select(model.id, model.version, func.ST_X(model.location), func.ST_Y(model.location), model.accuracy_m,
                   model.buurt_code).where(model.location.is_not(None))
        ).all()
        if not rows:
            continue
        columns = np.array([(r[2], r[3], r[4] or 0.0) for r in rows], dtype=float)
        codes = index.lookup_many(columns[:, 0], columns[:, 1], columns[:, 2])
        remaps += [Remap(entity, r[0], r[1], r[5], code) for r, code in zip(rows, codes, strict=True) if r[5] != code]
    moved = {(r.entity, r.record_id): r.new for r in remaps}
    followup = ENTITIES["followup"]
    ids = [record_id for (_entity, record_id) in moved]
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(followup.id, followup.version, followup.parent_entity, followup.parent_id, followup.buurt_code)
            .where(followup.parent_id.in_(ids[start:start + 500]))
        ).all()
        for fid, version, parent_entity, parent_id, code in rows:
            new = moved.get((parent_entity, parent_id), code)
            if new != code:
                remaps.append(Remap("followup", fid, version, code, new))
    return remaps


def apply_plan(plan: ImportPlan) -> None:
    """Write a plan: buurten added, changed and removed; moved records get a new version and change sequence.

    Each moved record's history notes the change by the system (no user, source `buurten_import`), and
    field workers whose buurten lost a record get a new pull scope (their next pull starts over), so
    no phone keeps a record in a buurt it left. Runs in the caller's transaction; the caller commits.
    """
    now = utcnow()
    changed = set(plan.changed)
    existing = {b.code: b for b in db.session.scalars(select(Buurt)) if b.code in changed}
    added = set(plan.added)
    for feature in plan.features:
        if feature.code in added:
            row = Buurt(code=feature.code)
            db.session.add(row)
        elif feature.code in changed:
            row = existing[feature.code]
        else:
            continue
        row.name = feature.name
        row.wijk_code, row.wijk_name = feature.wijk_code, feature.wijk_name
        row.gemeente_code, row.gemeente_name = feature.gemeente_code, feature.gemeente_name
        row.geom = from_shape(feature.geometry, srid=4326)
        row.updated_at = now
    for start in range(0, len(plan.removed), 500):
        db.session.execute(delete(Buurt).where(Buurt.code.in_(plan.removed[start:start + 500])))
    db.session.flush()
    if plan.remaps:
        _write_remaps(plan.remaps, now)
    _cache.clear()


def _write_remaps(remaps: list[Remap], now) -> None:
    last = allocate_change_seq(db.session, len(remaps))
    first = last - len(remaps) + 1
    by_entity: dict[str, list[dict]] = {}
    history = []
    for seq, remap in enumerate(remaps, start=first):
        by_entity.setdefault(remap.entity, []).append(
            {"rid": remap.record_id, "code": remap.new, "version": remap.version + 1, "seq": seq, "now": now})
        history.append({"entity": remap.entity, "record_id": remap.record_id, "version": remap.version + 1,
                        "changed_by_id": None, "changed_at": now, "changes": {"buurt_code": [remap.old, remap.new]},
                        "source": IMPORT_SOURCE, "client_id": None, "mutation_id": None})
    for entity, updates in by_entity.items():
        table = ENTITIES[entity].__table__
        db.session.execute(
            table.update().where(table.c.id == bindparam("rid")).values(
                buurt_code=bindparam("code"), version=bindparam("version"), change_seq=bindparam("seq"),
                updated_at=bindparam("now")),
            updates,
        )
    db.session.execute(insert(RecordChange.__table__), history)
    left = {r.old for r in remaps if r.old is not None}
    assigned = db.session.execute(select(BuurtAssignment.user_id, BuurtAssignment.buurt_code)).all()
    workers = sorted({user_id for user_id, code in assigned if code in left})
    for start in range(0, len(workers), 500):
        db.session.execute(
            update(User).where(User.role == "field_worker", User.id.in_(workers[start:start + 500]))
            .values(scope_version=func.coalesce(User.scope_version, 1) + 1)
        )


def _all_features() -> list[tuple[str, object]]:
    return [(b.code, to_shape(b.geom)) for b in db.session.scalars(select(Buurt))]


class _IndexCache:
    """A per-process BuurtIndex, rebuilt when the buurten in the database change.

    Several workers share one database, so the revision (count and newest `updated_at`) is checked
    in the database rather than trusting an in-process flag.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: tuple | None = None
        self._index: BuurtIndex | None = None
        self._extra: dict = {}

    def clear(self) -> None:
        with self._lock:
            self._revision, self._index, self._extra = None, None, {}

    def revision(self) -> tuple:
        return tuple(db.session.execute(select(func.count(), func.max(Buurt.updated_at))).one())

    def index(self) -> BuurtIndex:
        revision = self.revision()
        with self._lock:
            if self._index is None or revision != self._revision:
                self._index = BuurtIndex(_all_features())
                self._revision, self._extra = revision, {}
            return self._index

    def size(self) -> int:
        with self._lock:
            return len(self._extra)

    def memo(self, key, build: Callable[[], object]):
        """Cache a derived value (e.g. simplified GeoJSON) for the current buurt revision."""
        revision = self.revision()
        with self._lock:
            if revision != self._revision:
                self._index, self._revision, self._extra = None, revision, {}
            if key not in self._extra:
                self._extra[key] = build()
            return self._extra[key]


_cache = _IndexCache()


def buurt_index() -> BuurtIndex:
    """Return the point -> buurt index for the buurten currently in the database."""
    return _cache.index()


def memo(key, build: Callable[[], object]):
    """Cache a value derived from the buurten until they change."""
    return _cache.memo(key, build)


def buurt_for(lon: float, lat: float, accuracy_m: float | None) -> str | None:
    """Return the code of the buurt for a point, by the rules of geo.index.BuurtIndex."""
    return buurt_index().lookup(lon, lat, accuracy_m)


#: The simplification tolerances (metres) served; a request is rounded down to one of them, so the
#: cache of simplified collections holds at most this many per buurt revision, whatever is asked.
SIMPLIFY_STEPS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


def simplify_step(metres: float | None) -> int:
    """Round a requested tolerance down to the nearest of SIMPLIFY_STEPS (None and below 1 m: none)."""
    if metres is None or not metres > 0:
        return 0
    return max(step for step in SIMPLIFY_STEPS if step <= metres) if metres >= 1 else 0


def cached_collections() -> int:
    """Return how many derived values (simplified collections) the buurt cache holds."""
    return _cache.size()


def buurten_feature_collection(simplify_m: float | None) -> dict:
    """Return every buurt as a GeoJSON FeatureCollection, simplified to a step of SIMPLIFY_STEPS (cached)."""
    simplify_m = simplify_step(simplify_m)

    def build() -> dict:
        from geo.simplify import simplify_metres  # noqa: PLC0415

        features = []
        for b in db.session.scalars(select(Buurt).order_by(Buurt.code)):
            geom = to_shape(b.geom)
            if simplify_m:
                geom = simplify_metres(geom, simplify_m)
            features.append(
                {
                    "type": "Feature",
                    "id": b.code,
                    "geometry": mapping(geom),
                    "properties": {
                        "buurt_code": b.code,
                        "buurt_name": b.name,
                        "wijk_code": b.wijk_code,
                        "wijk_name": b.wijk_name,
                        "gemeente_code": b.gemeente_code,
                        "gemeente_name": b.gemeente_name,
                    },
                }
            )
        return {"type": "FeatureCollection", "features": features, "attribution": "Bron: CBS / Kadaster"}

    return memo(("geojson", simplify_m), build)


def buurt_names(codes: Iterable[str]) -> dict[str, Buurt]:
    """Return the buurten for these codes, by code."""
    codes = list(set(codes))
    if not codes:
        return {}
    return {b.code: b for b in db.session.scalars(select(Buurt).where(Buurt.code.in_(codes)))}
