// One signal: all fields, photos, conversation, follow-up log, workflow actions, assignment, conflicts.
import { apiFetch } from "../js/session.js";

const root = document.getElementById("signal");
const id = root.dataset.id;
const wf = JSON.parse(document.getElementById("workflow").textContent);
const $ = (elementId) => document.getElementById(elementId);
const FIELD_LABELS = {
  title: "Titel", description: "Omschrijving", theme: "Thema", domain: "Domein", urgency: "Urgentie",
  status: "Status", organisation: "Organisatie", assignee: "Toegewezen aan", due_date: "Uiterlijk klaar op",
  buurt_code: "Buurt", occurred_at: "Gezien op", created_at: "Gemeld op", created_by: "Gemeld door",
  updated_at: "Laatst gewijzigd", version: "Versie", location: "Locatie", photos: "Foto's", conversation_id: "Gesprek",
};
/** How the log and the owner line say that a signal moved *to* a status (offline_sync/vocabulary.py). */
const STATUS_DONE = wf.moved_labels;
const QUIET_FIELDS = new Set(["version", "has_conflict", "status_from", "done_at", "updated_at", "status_changed_at",
  "status_changed_by_name"]);

let record = null;
let organisations = [];
let me = null;
let history = [];
let followups = [];
let conversation = null;
let pendingStatus = null;

const people = () => organisations.flatMap((o) => o.users.map((u) => ({ ...u, organisation: o })));
const orgName = (orgId) => organisations.find((o) => o.id === orgId)?.name;
const personName = (userId) => wf.people[userId]?.name || people().find((u) => u.id === userId)?.name
  || (me && me.id === userId ? me.name : undefined);
/** "Tineke Team (Actium)": who did something, with the organisation they belong to. */
function personLabel(userId) {
  const name = personName(userId);
  if (!name) return "onbekend";
  const org = wf.people[userId]?.organisation || people().find((u) => u.id === userId)?.organisation.name
    || (me && me.id === userId ? me.organisation?.name : null);
  return org ? `${name} (${org})` : name;
}
const date = (iso) => (iso ? new Date(iso).toLocaleString("nl-NL", { dateStyle: "medium", timeStyle: "short" }) : "");

function showError(error) {
  $("signal-error").textContent = error.message;
  $("signal-error").hidden = false;
}

function display(field, value) {
  if (value === null || value === undefined || value === "") return "—";
  switch (field) {
    case "status": return wf.status_labels[value] || value;
    case "urgency": return wf.urgency_labels[value] || value;
    case "domain": return wf.domain_labels[value] || value;
    case "theme": return wf.theme_labels[value] || value;
    case "organisation": return orgName(value) || value;
    case "assignee": return personName(value) || value;
    case "created_at": case "updated_at": case "occurred_at": return date(value);
    case "created_by": return personLabel(value);
    case "due_date": return new Date(value).toLocaleDateString("nl-NL");
    case "location": return `${value.lat.toFixed(5)}, ${value.lon.toFixed(5)} (±${Math.round(value.accuracy_m ?? 0)} m)`;
    case "photos": return `${value.length}`;
    case "buurt_code": return wf.buurt_names[value] || "onbekende buurt";
    case "conversation_id": return conversation ? conversationLabel(conversation) : "een gesprek dat u niet kunt inzien";
    default: return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

function renderFields() {
  $("s-title").textContent = record.title;
  document.title = `${record.title} – Muurtje`;
  const dl = $("s-fields");
  dl.replaceChildren();
  for (const field of Object.keys(FIELD_LABELS)) {
    if (field === "title") continue;
    const dt = document.createElement("dt");
    dt.textContent = FIELD_LABELS[field];
    const dd = document.createElement("dd");
    dd.textContent = display(field, record[field]);
    dl.append(dt, dd);
  }
  $("s-owner").textContent = ownerLine();
  const photos = $("s-photos");
  photos.replaceChildren(...(record.photos || []).map((sha, i) => {
    const img = document.createElement("img");
    img.src = `/api/v1/attachments/${sha}`;
    img.alt = `Foto ${i + 1} bij dit signaal`;
    img.loading = "lazy";
    return img;
  }));
}

let publicDirty = false;

function renderPublic() {
  if (publicDirty) return;  // keep what the user is typing
  $("public-note").value = record.public_note || "";
  $("public-flag").checked = Boolean(record.public);
}

/** The note and public flag as typed, for a PATCH; empty when nothing changed. */
function publicFields() {
  const note = $("public-note").value.trim() || null;
  const fields = {};
  if (note !== (record.public_note || null)) fields.public_note = note;
  if ($("public-flag").checked !== Boolean(record.public)) fields.public = $("public-flag").checked;
  return fields;
}

function renderActions() {
  const actions = $("actions");
  actions.replaceChildren();
  const allowed = wf.transitions[record.status] || {};
  for (const [to, needsText] of Object.entries(allowed)) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.status = to;
    button.textContent = wf.action_labels[to] + (needsText ? "…" : "");
    button.addEventListener("click", () => (needsText ? askReason(to) : changeStatus(to)));
    actions.append(button);
  }
  if (!Object.keys(allowed).length) actions.textContent = "Geen statuswijziging mogelijk.";
}

function renderAssignment() {
  const orgSelect = $("a-organisation");
  orgSelect.replaceChildren(new Option("Geen", ""), ...organisations.map((o) => new Option(o.name, o.id)));
  orgSelect.value = record.organisation || "";
  fillPeople();
  $("a-assignee").value = record.assignee || "";
  $("a-due").value = record.due_date || "";
}

function fillPeople() {
  const orgId = $("a-organisation").value;
  const choices = people().filter((u) => !orgId || u.organisation.id === orgId);
  $("a-assignee").replaceChildren(new Option("Niemand", ""), ...choices.map((u) => new Option(`${u.name} (${u.organisation.name})`, u.id)));
}

async function loadConflicts() {
  $("conflicts").hidden = !record.has_conflict;
  if (!record.has_conflict) return;
  const data = await apiFetch(`/api/v1/signals/${id}/conflicts`);
  const open = data.conflicts.filter((c) => !c.resolved_at);
  $("conflict-rows").replaceChildren(...open.map((c) => {
    const tr = document.createElement("tr");
    for (const text of [FIELD_LABELS[c.field] || c.field, display(c.field, c.server_value), display(c.field, c.client_value)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}

/** "Actium / Tineke Team": the organisation and person a signal is assigned to. */
function assignmentText(organisation, assignee) {
  return [orgName(organisation), personName(assignee)].filter(Boolean).join(" / ");
}

/** What the signal's status says and who brought it there, when; then whom it is assigned to. */
function ownerLine() {
  const parts = [];
  const moved = [...history].reverse().find((h) => h.changes?.status && h.changes.status[1] === record.status);
  if (moved && record.status !== "new") {
    parts.push(`${STATUS_DONE[record.status]} door ${personLabel(moved.user)} op ${date(moved.changed_at)}`);
  }
  const assigned = assignmentText(record.organisation, record.assignee);
  if (assigned) parts.push(`Toegewezen aan ${assigned}`);
  return parts.join(". ");
}

function conversationLabel(c) {
  const setting = wf.setting_labels[c.setting] || c.setting || "";
  return `Gesprek van ${date(c.occurred_at)}${setting ? ` – ${setting}` : ""}`;
}

/** One line of the log describing a field change other than status and assignment. */
function otherChanges(changes) {
  const fields = Object.keys(changes).filter((f) => !QUIET_FIELDS.has(f)
    && !["status", "organisation", "assignee", "due_date"].includes(f));
  if (!fields.length) return null;
  return `Gewijzigd: ${fields.map((f) => {
    const [from, to] = changes[f];
    const shown = ["urgency", "domain", "theme", "buurt_code"].includes(f) ? ` (${display(f, from)} → ${display(f, to)})` : "";
    return `${(FIELD_LABELS[f] || f).toLowerCase()}${shown}`;
  }).join(", ")}`;
}

/**
 * The "Vervolg" log: every status change, assignment and edit from the history, with the reason
 * from the follow-up that made it, and every note — who, what and when, oldest first.
 */
function logEntries() {
  const used = new Set();
  const state = {};
  const entries = [];
  for (const h of history) {
    const changes = h.changes || {};
    const lines = [];
    let text = null;
    if (h.version === 1 || (changes.title && changes.title[0] === null)) {
      lines.push("Gemeld");
    } else {
      if (changes.status) {
        const [from, to] = changes.status;
        lines.push(`${STATUS_DONE[to] || to} (${wf.status_labels[from] || "—"} → ${wf.status_labels[to] || to})`);
        const reason = followups.find((f) => !used.has(f.id) && f.status_to === to && f.created_by === h.user
          && Math.abs(Date.parse(f.created_at) - Date.parse(h.changed_at)) < 5000);
        if (reason) { used.add(reason.id); text = reason.text; }
      }
      if (changes.deleted && changes.deleted[1]) lines.push("Verwijderd");
    }
    for (const [field, [, to]] of Object.entries(changes)) state[field] = to;
    if (h.version !== 1 && (changes.organisation || changes.assignee)) {
      const assigned = assignmentText(state.organisation, state.assignee);
      lines.push(assigned ? `Toegewezen aan ${assigned}` : "Toewijzing opgeheven");
    }
    if (h.version !== 1 && changes.due_date) {
      lines.push(changes.due_date[1] ? `Uiterlijk klaar op ${display("due_date", changes.due_date[1])}` : "Geen einddatum meer");
    }
    const other = h.version === 1 ? null : otherChanges(changes);
    if (other) lines.push(other);
    if (lines.length) entries.push({ at: h.changed_at, user: h.user, lines, text });
  }
  for (const f of followups) {
    if (used.has(f.id)) continue;
    const lines = f.status_to ? [`${STATUS_DONE[f.status_to] || f.status_to} (gevraagd, niet doorgevoerd)`] : ["Notitie"];
    entries.push({ at: f.created_at, user: f.created_by, lines, text: f.text });
  }
  return entries.sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
}

function renderLog() {
  const entries = logEntries();
  $("followups").replaceChildren(...entries.map((entry) => {
    const li = document.createElement("li");
    li.innerHTML = `<span class="when"></span><br><strong></strong><span class="text"></span>`;
    li.querySelector(".when").textContent = `${date(entry.at)} · ${personLabel(entry.user)}`;
    li.querySelector("strong").textContent = entry.lines.join(". ");
    li.querySelector(".text").textContent = entry.text ? `: ${entry.text}` : "";
    return li;
  }));
  if (!entries.length) $("followups").innerHTML = "<li>Nog geen vervolg.</li>";
}

async function loadLog() {
  const [h, f] = await Promise.all([apiFetch(`/api/v1/signals/${id}/history`), apiFetch(`/api/v1/signals/${id}/followups`)]);
  history = h.history;
  followups = f.followups;
}

async function loadConversation() {
  if (!record.conversation_id || conversation) return;
  try {
    conversation = await apiFetch(`/api/v1/conversations/${record.conversation_id}`);
  } catch (error) {
    if (error.status !== 404 && error.status !== 403) throw error;
    return;
  }
  const dl = $("conv-fields");
  dl.replaceChildren();
  for (const [label, value] of [["Datum", date(conversation.occurred_at)],
    ["Waar", wf.setting_labels[conversation.setting] || conversation.setting],
    ["Buurt", wf.buurt_names[conversation.buurt_code] || (conversation.buurt_code ? "een andere buurt" : "—")],
    ["Aantal bewoners", conversation.residents_count],
    ["Thema's", (conversation.themes || []).map((t) => wf.theme_labels[t] || t).join(", ")],
    ["Samenvatting", conversation.summary]]) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value ?? "—";
    dl.append(dt, dd);
  }
  $("conversation").hidden = false;
}

function render() {
  renderFields();
  renderPublic();
  renderActions();
  renderAssignment();
  renderLog();
}

async function load() {
  try {
    [record, organisations, me] = await Promise.all([
      apiFetch(`/api/v1/signals/${id}`), apiFetch("/api/v1/organisations"), apiFetch("/api/v1/me")]);
    await Promise.all([loadLog(), loadConversation()]);
    render();
    await loadConflicts();
  } catch (error) {
    if (error.status === 401) window.location.href = `/login?next=/kaart/signalen/${id}`;
    else showError(error);
  }
}

function say(text) { $("action-message").textContent = text; }

async function afterChange(message) {
  record = await apiFetch(`/api/v1/signals/${id}`);
  await loadLog();
  render();
  await loadConflicts();
  say(message);
}

async function patch(fields, message) {
  try {
    const result = await apiFetch(`/api/v1/signals/${id}`, { method: "PATCH", body: { base_version: record.version, ...fields } });
    const overwritten = result.conflicts?.length ? " Let op: er waren gelijktijdige wijzigingen." : "";
    if ("public_note" in fields || "public" in fields) publicDirty = false;
    await afterChange(message + overwritten);
  } catch (error) { say(`Niet opgeslagen: ${error.message}`); }
}

function changeStatus(to) {
  const fields = { status: to, ...publicFields() };
  if (to === "picked_up") {
    // Picking up claims the signal, so the next team sees who has it.
    fields.organisation = record.organisation || me.organisation?.id || null;
    fields.assignee = record.assignee || me.id;
  }
  return patch(fields, `Status is nu ${wf.status_labels[to]}.`);
}

function askReason(to) {
  pendingStatus = to;
  $("reason-for").textContent = `voor "${wf.action_labels[to]}"`;
  $("reason-form").hidden = false;
  $("reason").focus();
}

$("reason-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reason").value.trim();
  if (!text) { say("Vul een reden in."); $("reason").focus(); return; }
  try {
    const note = publicFields();
    if (Object.keys(note).length) {  // first the note, so the resident's e-mail carries it
      record = await apiFetch(`/api/v1/signals/${id}`, { method: "PATCH", body: { base_version: record.version, ...note } });
      publicDirty = false;
    }
    await apiFetch(`/api/v1/signals/${id}/followups`, { method: "POST",
      body: { id: crypto.randomUUID(), text, status_to: pendingStatus, parent_version: record.version } });
    $("reason").value = "";
    $("reason-form").hidden = true;
    await afterChange(`Status is nu ${wf.status_labels[pendingStatus]}.`);
  } catch (error) { say(`Niet opgeslagen: ${error.message}`); }
});
$("reason-cancel").addEventListener("click", () => { $("reason-form").hidden = true; pendingStatus = null; });

$("note-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("note").value.trim();
  if (!text) return;
  try {
    await apiFetch(`/api/v1/signals/${id}/followups`, { method: "POST", body: { id: crypto.randomUUID(), text } });
    $("note").value = "";
    await afterChange("Notitie opgeslagen.");
  } catch (error) { say(`Niet opgeslagen: ${error.message}`); }
});

$("public-note").addEventListener("input", () => { publicDirty = true; });
$("public-flag").addEventListener("change", () => { publicDirty = true; });
$("public-save").addEventListener("click", () => {
  const fields = publicFields();
  if (!Object.keys(fields).length) { say("Er is niets gewijzigd."); return; }
  patch(fields, "Bericht opgeslagen.");
});

$("a-organisation").addEventListener("change", fillPeople);
$("assign-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const assignee = $("a-assignee").value || null;
  let organisation = $("a-organisation").value || null;
  if (assignee && !organisation) organisation = people().find((u) => u.id === assignee)?.organisation.id || null;
  patch({ organisation, assignee, due_date: $("a-due").value || null }, "Toewijzing opgeslagen.");
});

$("resolve").addEventListener("click", async () => {
  try {
    await apiFetch(`/api/v1/signals/${id}/resolve`, { method: "POST", body: {} });
    await afterChange("Conflict opgelost.");
  } catch (error) { say(`Niet opgelost: ${error.message}`); }
});

load();
