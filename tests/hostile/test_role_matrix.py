"""The role matrix as a table: every endpoint × role × (own / in scope / out of scope / other organisation).

Targets are signals with a resident's contact and a photo, written for each cell by:

- own: the caller (in buurt A; owned by the caller's organisation, or Actium);
- in scope: a field worker of buurt A (owned by Actium, the team member's organisation);
- out of scope: a field worker of buurt B (owned by Actium);
- other organisation: a team member of Vaart Welzijn (in buurt A, owned by Vaart Welzijn).

The field worker works in buurt A; the team member belongs to Actium. Every cell is one request
(or, for "assign to self, then read the contact", two) with the status the rules of docs/API.md give.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PIL import Image

from tests.support import ApiClient
from tests.sync.helpers import BUURT_A, BUURT_B, new_id, pull_all, push, signal_fields, upsert

ROLES = ("field_worker", "team", "manager", "admin")
SCOPES = ("own", "in_scope", "out_of_scope", "other_org")
CONTACT = {"name": "Mevr. Jansen", "phone": "0612345678", "consent": True}


def _sees(role: str, scope: str) -> bool:
    return role != "field_worker" or scope != "out_of_scope"


def _seen(role: str, scope: str, ok: int) -> int:
    return ok if _sees(role, scope) else 404


def _contact(role: str, scope: str) -> int:
    if not _sees(role, scope):
        return 404
    return 200 if scope == "own" or role == "admin" else 403


def _assign_self_then_contact(role: str, scope: str) -> tuple[int, int]:
    if not _sees(role, scope):
        return 404, 404
    if role == "team" and scope != "other_org":
        return 200, 200  # a member of the owning organisation takes it, and may call the resident back
    return 400, _contact(role, scope)


def _delete(role: str, scope: str) -> str:
    return "applied" if scope == "own" or role == "admin" else "rejected"


def _in_export(role: str, scope: str) -> int | bool:
    if role == "field_worker":
        return 403
    return not (role == "team" and scope == "other_org")


#: Record endpoints: name -> (expected(role, scope), request(client, signal id, world) -> observed).
RECORD_CELLS: dict[str, Callable[[str, str], object]] = {
    "GET signal": lambda r, s: _seen(r, s, 200),
    "GET history": lambda r, s: _seen(r, s, 200),
    "GET conflicts": lambda r, s: _seen(r, s, 200),
    "GET followups": lambda r, s: _seen(r, s, 200),
    "POST followup": lambda r, s: _seen(r, s, 201),
    "PATCH title": lambda r, s: _seen(r, s, 200),
    "POST resolve": lambda r, s: _seen(r, s, 200),
    "GET contact": _contact,
    "PATCH assignee=self, GET contact": _assign_self_then_contact,
    "GET photo": lambda r, s: _seen(r, s, 200),
    "pull contains it": _sees,
    "signal export contains it": _in_export,
    "push edit": lambda r, s: "applied" if _sees(r, s) else "rejected",
    "push delete": _delete,
}

PAGE_ROLES = ("team", "manager", "admin")
#: Collection endpoints and pages: (name, path, roles answered 200; every other role gets 403).
COLLECTION_CELLS = [
    ("signal list", "/api/v1/signals", PAGE_ROLES),
    ("map clusters", "/api/v1/map/signals?bbox=6.4,52.9,6.7,53.1&zoom=12", PAGE_ROLES),
    ("map choropleth", "/api/v1/map/buurten", PAGE_ROLES),
    ("report", "/api/v1/reports/buurten", PAGE_ROLES),
    ("trend", "/api/v1/reports/trend", PAGE_ROLES),
    ("signal export", "/api/v1/exports/signals", PAGE_ROLES),
    ("conversation export", "/api/v1/exports/conversations", ("manager", "admin")),
    ("idea export", "/api/v1/exports/ideas?format=geojson", ("manager", "admin")),
    ("quarantine", "/api/v1/sync/quarantine", ("admin",)),
    ("pull", "/api/v1/sync/pull", ROLES),
    ("me", "/api/v1/me", ROLES),
    ("tokens", "/api/v1/auth/tokens", ROLES),
    ("dashboard page", "/dashboard", PAGE_ROLES),
    ("buurt report page", f"/reports/buurten/{BUURT_A}", PAGE_ROLES),
]


@dataclass
class World:
    callers: dict[str, ApiClient]
    writers: dict[str, ApiClient]
    organisation: dict[str, str]


def _photo(seed: int) -> tuple[bytes, str]:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (seed % 256, seed // 256 % 256, 7)).save(out, "PNG")
    return out.getvalue(), hashlib.sha256(out.getvalue()).hexdigest()


@pytest.fixture
def world(app, make_user):
    def signed_in(role, **kw) -> ApiClient:
        user, password = make_user(role, **kw)
        client = ApiClient(app.test_client())
        client.login(user.email, password)
        client.db_user = user
        return client

    callers = {"field_worker": signed_in("field_worker", buurten=[BUURT_A]),
               "team": signed_in("team", organisation="Actium"), "manager": signed_in("manager"),
               "admin": signed_in("admin")}
    writers = {"in_scope": signed_in("field_worker", buurten=[BUURT_A]),
               "out_of_scope": signed_in("field_worker", buurten=[BUURT_B]),
               "other_org": signed_in("team", organisation="Vaart Welzijn")}
    organisation = {"Actium": str(callers["team"].db_user.organisation_id),
                    "Vaart": str(writers["other_org"].db_user.organisation_id)}
    return World(callers, writers, organisation)


def _make_targets(world: World) -> dict[tuple[str, str, str], tuple[str, str]]:
    """Write one signal per cell (by the writer its scope names); return cell -> (signal id, photo hash)."""
    batches: dict[int, tuple[ApiClient, list[dict]]] = {}
    targets = {}
    seed = 0
    for cell in RECORD_CELLS:
        for role in ROLES:
            for scope in SCOPES:
                writer = world.callers[role] if scope == "own" else world.writers[scope]
                organisation = world.organisation["Vaart" if scope == "other_org" else "Actium"]
                data, sha = _photo(seed := seed + 1)
                assert writer.put(f"/api/v1/attachments/{sha}", data=data, content_type="image/png").status_code == 201
                signal = new_id()
                fields = signal_fields(BUURT_B if scope == "out_of_scope" else BUURT_A, organisation=organisation,
                                       resident_contact=CONTACT, photos=[sha], title=f"{cell} {role} {scope}")
                batch = batches.setdefault(id(writer), (writer, []))[1]
                batch.append(upsert(len(batch) + 1, "signal", signal, fields))
                targets[(cell, role, scope)] = (signal, sha)
    for writer, mutations in batches.values():
        assert {r["status"] for r in push(writer, new_id(), mutations)["results"]} == {"applied"}
    return targets


def _observe(cell: str, client: ApiClient, signal: str, sha: str, feed: set[str], exported: set[str] | int):
    url = f"/api/v1/signals/{signal}"
    if cell == "GET signal":
        return client.get(url).status_code
    if cell in ("GET history", "GET conflicts", "GET followups"):
        return client.get(f"{url}/{cell.split()[1]}").status_code
    if cell == "POST followup":
        return client.post(f"{url}/followups", json={"text": "Gebeld"}).status_code
    if cell == "PATCH title":
        return client.patch(url, json={"base_version": 1, "title": "Nieuwe titel"}).status_code
    if cell == "POST resolve":
        return client.post(f"{url}/resolve").status_code
    if cell == "GET contact":
        return client.get(f"{url}/contact").status_code
    if cell == "PATCH assignee=self, GET contact":
        assigned = client.patch(url, json={"base_version": 1, "assignee": str(client.db_user.id)}).status_code
        return assigned, client.get(f"{url}/contact").status_code
    if cell == "GET photo":
        return client.get(f"/api/v1/attachments/{sha}").status_code
    if cell == "pull contains it":
        return signal in feed
    if cell == "signal export contains it":
        return exported if isinstance(exported, int) else signal in exported
    if cell == "push edit":
        return push(client, new_id(), [upsert(1, "signal", signal, {"description": "x"}, 1)])["results"][0]["status"]
    if cell == "push delete":
        return push(client, new_id(), [{"mutation_id": 1, "entity": "signal", "op": "delete", "id": signal,
                                        "base_version": 1}])["results"][0]["status"]
    raise AssertionError(cell)


def _exported(client: ApiClient) -> set[str] | int:
    response = client.get("/api/v1/exports/signals?format=geojson")
    if response.status_code != 200:
        return response.status_code
    return {f["id"] for f in response.get_json()["features"]}


def test_role_matrix(world):
    targets = _make_targets(world)
    mismatches, cells = [], 0
    for role in ROLES:
        client = world.callers[role]
        feed = {c["id"] for c in pull_all(client)[0]}
        exported = _exported(client)
        for cell, expected in RECORD_CELLS.items():
            for scope in SCOPES:
                signal, sha = targets[(cell, role, scope)]
                observed = _observe(cell, client, signal, sha, feed, exported)
                cells += 1
                if observed != expected(role, scope):
                    mismatches.append((cell, role, scope, observed, expected(role, scope)))
        for name, path, allowed in COLLECTION_CELLS:
            status = client.get(path).status_code
            cells += 1
            if status != (200 if role in allowed else 403):
                mismatches.append((name, role, "-", status, 200 if role in allowed else 403))
    assert mismatches == []
    assert cells == MATRIX_CELLS


#: Counted in docs/security.md ("matrix cells", per database).
MATRIX_CELLS = len(RECORD_CELLS) * len(ROLES) * len(SCOPES) + len(COLLECTION_CELLS) * len(ROLES)
