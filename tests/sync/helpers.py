"""Helpers for sync tests: mutations, pushes, pulls and points inside Assen's buurten."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from functools import cache

from tests.support import ASSEN

BUURT_A = "BU01060200"
BUURT_B = "BU01060300"


def old_style_cursor(seq: int, scope, secret: str) -> str:
    """A cursor as the server signed them before itsdangerous: base64 JSON, '.', a truncated HMAC."""
    body = base64.urlsafe_b64encode(json.dumps([seq, scope.fingerprint()]).encode()).rstrip(b"=").decode()
    digest = hmac.new(secret.encode(), b"muurtje-sync-cursor:" + body.encode(), hashlib.sha256).digest()
    return f"{body}.{base64.urlsafe_b64encode(digest[:18]).decode()}"


@cache
def point_in(code: str) -> dict:
    """Return a location inside buurt `code`."""
    from geo.buurten import read_buurten

    for feature in read_buurten(ASSEN).features:
        if feature.code == code:
            p = feature.geometry.representative_point()
            return {"lat": p.y, "lon": p.x, "accuracy_m": 5.0}
    raise KeyError(code)


def new_id() -> str:
    return str(uuid.uuid4())


def signal_fields(code: str = BUURT_A, **extra) -> dict:
    return {"title": "Hek speelveld kapot", "description": "Bij het BIC", "theme": "openbare_ruimte",
            "domain": "physical", "urgency": "normal", "location": point_in(code), **extra}


def conversation_fields(code: str = BUURT_A, **extra) -> dict:
    return {"occurred_at": "2026-11-27T10:02:00+01:00", "setting": "street", "residents_count": 2,
            "themes": ["groen"], "summary": "Gesprek op het muurtje", "follow_up_needed": True,
            "location": point_in(code), **extra}


def idea_fields(code: str = BUURT_A, **extra) -> dict:
    return {"title": "Buurtfeest", "theme": "ontmoeting", "initiators_count": 3, "support": ["money"],
            "budget_requested_cents": 50_000, "location": point_in(code), **extra}


def upsert(mutation_id: int, entity: str, record_id: str, fields: dict, base_version: int | None = None) -> dict:
    return {"mutation_id": mutation_id, "entity": entity, "op": "upsert", "id": record_id,
            "base_version": base_version, "fields": fields, "client_time": "2026-11-27T10:02:00+01:00"}


def delete(mutation_id: int, entity: str, record_id: str, base_version: int | None = 1) -> dict:
    return {"mutation_id": mutation_id, "entity": entity, "op": "delete", "id": record_id,
            "base_version": base_version}


def push(api, client_id: str, mutations: list[dict], expect: int = 200):
    response = api.post("/api/v1/sync/push", json={"client_id": client_id, "schema_version": 1,
                                                   "mutations": mutations})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def pull_all(api, cursor: str | None = None, limit: int = 500) -> tuple[list[dict], str, bool]:
    """Page through the feed; return (changes, last cursor, whether any page said reset)."""
    changes, reset = [], False
    while True:
        url = f"/api/v1/sync/pull?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        changes += body["changes"]
        reset = reset or body["reset"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, cursor, reset
