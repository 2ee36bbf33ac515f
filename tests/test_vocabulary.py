"""Codes and their Dutch labels live once, in offline_sync/vocabulary.py, and reach the JavaScript unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from offline_sync import vocabulary
from offline_sync.workflow import CLOSED_SIGNAL_STATUSES, OPEN_SIGNAL_STATUSES, TRANSITIONS

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY_FILE = ROOT / "offline_sync" / "vocabulary.py"
#: Labels that older copies used for the same codes; none may come back.
RETIRED_LABELS = ("Afgehandeld", "Niet op te pakken", "Huisbezoek", "Muurtje / op straat", "Buurtinformatiecentrum")
LABELLED = {
    "setting": vocabulary.SETTING, "domain": vocabulary.DOMAIN, "urgency": vocabulary.URGENCY,
    "support": vocabulary.SUPPORT, "signal status": vocabulary.STATUS["signal"],
    "idea status": vocabulary.STATUS["idea"], "signal action": vocabulary.SIGNAL_ACTION,
    "signal moved": vocabulary.SIGNAL_MOVED, "gathering kind": vocabulary.GATHERING_KIND,
    "organisation kind": vocabulary.ORGANISATION_KIND, "entity": vocabulary.ENTITY,
    "entities": vocabulary.ENTITY_PLURAL,
}


def label_copies(root: Path) -> list[str]:
    """Return the places under app/ and offline_sync/ that map several codes of one vocabulary to text."""
    found = []
    for path in sorted(root.glob("app/**/*")) + sorted(root.glob("offline_sync/**/*")):
        if path.suffix not in {".py", ".js", ".html"} or path.resolve() == VOCABULARY_FILE:
            continue
        text = path.read_text(encoding="utf-8")
        for name, labels in LABELLED.items():
            # `done: "Afgerond"`, `"done": "Afgerond"` or `["done", "Afgerond"]`
            mapped = [c for c in labels if re.search(rf"""(["']{c}["']\s*[:,]|\b{c}\s*:)\s*["'][A-Z]""", text)]
            if len(mapped) >= min(3, len(labels)):
                found.append(f"{path.relative_to(root)}: {name} ({', '.join(mapped)})")
        found += [f"{path.relative_to(root)}: {old!r}" for old in RETIRED_LABELS if old in text]
    return found


def test_no_other_place_keeps_labels_of_codes():
    assert label_copies(ROOT) == []


def test_the_check_finds_a_copy(tmp_path):
    """The scan above is not blind: a copy like the ones this vocabulary replaced is reported."""
    (tmp_path / "app" / "static").mkdir(parents=True)
    (tmp_path / "app" / "static" / "ui.js").write_text(
        'export const DOMAINS = [["physical", "Fysiek"], ["social", "Sociaal"], ["both", "Beide"]];\n')
    (tmp_path / "app" / "team.py").write_text('URGENCY_LABELS = {"low": "Laag", "normal": "Normaal", "high": "Hoog"}\n')
    assert label_copies(tmp_path) == ["app/static/ui.js: domain (physical, social, both)",
                                      "app/team.py: urgency (low, normal, high)"]


def test_every_workflow_status_has_one_label():
    for entity, statuses in TRANSITIONS.items():
        assert list(vocabulary.STATUS[entity]) == list(statuses)
    assert set(vocabulary.SIGNAL_ACTION) == set(TRANSITIONS["signal"])
    assert set(vocabulary.SIGNAL_MOVED) == set(TRANSITIONS["signal"])
    assert set(OPEN_SIGNAL_STATUSES) | set(CLOSED_SIGNAL_STATUSES) == set(TRANSITIONS["signal"])
    every_label = [label for labels in LABELLED.values() for label in labels.values()]
    assert all(label and label[0].isupper() for label in every_label)


def test_the_javascript_gets_the_same_vocabulary(client):
    response = client.get("/vocabulary.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    source = response.get_data(as_text=True)
    match = re.search(r"export const VOCABULARY = Object\.freeze\((.*)\);\s*$", source, re.S)
    assert match, source[:200]
    assert json.loads(match.group(1)) == vocabulary.as_json()
    again = client.get("/vocabulary.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/app/sw.js"])
def test_the_field_app_stores_the_vocabulary_with_its_shell(client, path):
    """Offline, the PWA's modules import /vocabulary.js from the service worker's shell cache."""
    script = client.get(path).get_data(as_text=True)
    shell_files = json.loads(re.search(r"const SHELL_FILES = (\[.*?\]);", script).group(1))
    assert "/vocabulary.js" in shell_files
