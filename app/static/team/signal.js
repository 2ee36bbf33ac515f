// One signal: all fields, photos, conversation, follow-up log, workflow actions, assignment, conflicts.
import { apiFetch } from "../js/session.js";

const root = document.getElementById("signal");
const id = root.dataset.id;
const wf = JSON.parse(document.getElementById("workflow").textContent);
const $ = (elementId) => document.getElementById(elementId);
const FIELD_LABELS = {
  title: "Titel", description: "Omschrijving", theme: "Thema", domain: "Domein", urgency: "Urgentie",
  status: "Status", organisation: "Organisatie", assignee: "Toegewezen aan", due_date: "Uiterlijk klaar op",
  buurt_code: "Buurt", created_at: "Gemeld op", updated_at: "Laatst gewijzigd", version: "Versie",
  location: "Locatie", photos: "Foto's", conversation_id: "Gesprek",
};

let record = null;
let organisations = [];
let me = null;
let pendingStatus = null;

const people = () => organisations.flatMap((o) => o.users.map((u) => ({ ...u, organisation: o })));
const orgName = (orgId) => organisations.find((o) => o.id === orgId)?.name;
const personName = (userId) => people().find((u) => u.id === userId)?.name;
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
    case "created_at": case "updated_at": return date(value);
    case "due_date": return new Date(value).toLocaleDateString("nl-NL");
    case "location": return `${value.lat.toFixed(5)}, ${value.lon.toFixed(5)} (±${Math.round(value.accuracy_m ?? 0)} m)`;
    case "photos": return `${value.length}`;
    case "buurt_code": return wf.buurt_names[value] ? `${wf.buurt_names[value]} – ${value}` : value;
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
  const owner = [orgName(record.organisation), personName(record.assignee)].filter(Boolean).join(" / ");
  $("s-owner").textContent = owner && record.status !== "new" ? `Opgepakt door ${owner}` : owner ? `Toegewezen aan ${owner}` : "";
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

async function loadFollowups() {
  const data = await apiFetch(`/api/v1/signals/${id}/followups`);
  const items = data.followups;
  $("followups").replaceChildren(...items.map((f) => {
    const li = document.createElement("li");
    const change = f.status_to ? `${wf.status_labels[f.status_from] || "—"} → ${wf.status_labels[f.status_to]}: ` : "";
    li.innerHTML = `<span class="when"></span><br><strong></strong><span class="text"></span>`;
    li.querySelector(".when").textContent = `${date(f.created_at)} · ${personName(f.created_by) || "onbekend"}`;
    li.querySelector("strong").textContent = change;
    li.querySelector(".text").textContent = f.text;
    return li;
  }));
  if (!items.length) $("followups").innerHTML = "<li>Nog geen vervolg.</li>";
}

async function loadConversation() {
  if (!record.conversation_id) return;
  try {
    const c = await apiFetch(`/api/v1/conversations/${record.conversation_id}`);
    const dl = $("conv-fields");
    dl.replaceChildren();
    for (const [label, value] of [["Datum", date(c.occurred_at)], ["Aantal bewoners", c.residents_count],
      ["Thema's", (c.themes || []).map((t) => wf.theme_labels[t] || t).join(", ")], ["Samenvatting", c.summary]]) {
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = value ?? "—";
      dl.append(dt, dd);
    }
    $("conversation").hidden = false;
  } catch (error) {
    if (error.status !== 404 && error.status !== 403) throw error;
  }
}

function render() {
  renderFields();
  renderPublic();
  renderActions();
  renderAssignment();
}

async function load() {
  try {
    [record, organisations, me] = await Promise.all([
      apiFetch(`/api/v1/signals/${id}`), apiFetch("/api/v1/organisations"), apiFetch("/api/v1/me")]);
    render();
    await Promise.all([loadFollowups(), loadConversation(), loadConflicts()]);
  } catch (error) {
    if (error.status === 401) window.location.href = `/login?next=/kaart/signalen/${id}`;
    else showError(error);
  }
}

function say(text) { $("action-message").textContent = text; }

async function afterChange(message) {
  record = await apiFetch(`/api/v1/signals/${id}`);
  render();
  await Promise.all([loadFollowups(), loadConflicts()]);
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
