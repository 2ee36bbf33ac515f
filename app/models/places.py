"""Buurten (CBS neighbourhoods) and the themes that records are tagged with."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Buurt(db.Model):
    """A CBS buurt with its wijk and gemeente, in EPSG:4326."""

    __tablename__ = "buurten"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    wijk_code: Mapped[str | None] = mapped_column(String(16), index=True)
    wijk_name: Mapped[str | None] = mapped_column(String(200))
    gemeente_code: Mapped[str | None] = mapped_column(String(16), index=True)
    gemeente_name: Mapped[str | None] = mapped_column(String(200))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Theme(db.Model):
    """A theme residents raise, with a Dutch label and a domain (physical, social or both)."""

    __tablename__ = "themes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


#: The default themes for an area-based programme like Mijn Buurt Assen.
DEFAULT_THEMES: tuple[tuple[str, str, str], ...] = (
    ("openbare_ruimte", "Openbare ruimte", "physical"),
    ("groen", "Groen en bomen", "physical"),
    ("verkeer", "Verkeer en parkeren", "physical"),
    ("afval", "Afval en zwerfvuil", "physical"),
    ("woning", "Woning en onderhoud", "physical"),
    ("verduurzaming", "Verduurzaming en energie", "physical"),
    ("eenzaamheid", "Eenzaamheid", "social"),
    ("armoede", "Armoede en geldzorgen", "social"),
    ("zorg", "Zorg en gezondheid", "social"),
    ("jeugd", "Jeugd en jongeren", "social"),
    ("overlast", "Overlast en burenruzie", "both"),
    ("veiligheid", "Veiligheid", "both"),
    ("ontmoeting", "Ontmoeting en buurtactiviteiten", "both"),
    ("participatie", "Meedoen en vrijwilligerswerk", "social"),
)
