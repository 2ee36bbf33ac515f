"""Buurten in the database: import, the cached point -> buurt index, and assignment to records."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import mapping
from sqlalchemy import bindparam, delete, func, select

from app.extensions import db
from app.models import ENTITIES, Buurt, utcnow
from geo.buurten import BuurtFeature
from geo.index import BuurtIndex


@dataclass
class ImportReport:
    """What an import did."""

    added: int
    updated: int
    removed: int
    records_remapped: int


def import_buurten(
    features: Sequence[BuurtFeature],
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Store buurten in one transaction and re-map located records onto the new boundaries.

    Without `replace`, buurten not in the file are kept; with it they are removed. The caller commits.
    """
    existing = {b.code: b for b in db.session.scalars(select(Buurt))}
    now = utcnow()
    added = updated = 0
    for feature in features:
        row = existing.get(feature.code)
        if row is None:
            row = Buurt(code=feature.code)
            db.session.add(row)
            added += 1
        else:
            updated += 1
        row.name = feature.name
        row.wijk_code, row.wijk_name = feature.wijk_code, feature.wijk_name
        row.gemeente_code, row.gemeente_name = feature.gemeente_code, feature.gemeente_name
        row.geom = from_shape(feature.geometry, srid=4326)
        row.updated_at = now
    removed = 0
    if replace:
        gone = set(existing) - {f.code for f in features}
        if gone:
            db.session.execute(delete(Buurt).where(Buurt.code.in_(gone)))
            removed = len(gone)
    db.session.flush()
    if progress:
        progress(f"{added} toegevoegd, {updated} bijgewerkt, {removed} verwijderd")
    index = BuurtIndex(features if replace or not existing else _all_features())
    remapped = remap_records(index)
    _cache.clear()
    return ImportReport(added, updated, removed, remapped)


def _all_features() -> list[tuple[str, object]]:
    return [(b.code, to_shape(b.geom)) for b in db.session.scalars(select(Buurt))]


def remap_records(index: BuurtIndex) -> int:
    """Recompute `buurt_code` of every located record; return how many changed."""
    changed = 0
    for model in ENTITIES.values():
        if not hasattr(model, "location"):
            continue
        rows = db.session.execute(
            select(
                model.id, func.ST_X(model.location), func.ST_Y(model.location), model.accuracy_m, model.buurt_code
            ).where(model.location.is_not(None))
        ).all()
        if not rows:
            continue
        columns = np.array([(r[1], r[2], r[3] or 0.0) for r in rows], dtype=float)
        codes = index.lookup_many(columns[:, 0], columns[:, 1], columns[:, 2])
        updates = [{"rid": r[0], "code": code} for r, code in zip(rows, codes) if r[4] != code]
        if updates:
            table = model.__table__
            db.session.execute(
                table.update().where(table.c.id == bindparam("rid")).values(buurt_code=bindparam("code")), updates
            )
            changed += len(updates)
    return changed


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


def buurten_feature_collection(simplify_m: float | None) -> dict:
    """Return every buurt as a GeoJSON FeatureCollection, optionally simplified (cached)."""

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
