// Shared UI pieces: escaping, Dutch labels, chips, stepper, record notices and value formatting.
import { VOCABULARY } from "/vocabulary.js";
import { seenLabel } from "./when.js";

/** Escape text for use inside HTML. */
export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// Codes and their labels come from the server's one vocabulary (offline_sync/vocabulary.py).
export const SETTINGS = Object.entries(VOCABULARY.setting);
export const URGENCIES = Object.entries(VOCABULARY.urgency);
export const DOMAINS = Object.entries(VOCABULARY.domain);
export const SUPPORT = Object.entries(VOCABULARY.support);
export const SIGNAL_STATUS = VOCABULARY.status.signal;
export const IDEA_STATUS = VOCABULARY.status.idea;
export const ENTITY_LABEL = VOCABULARY.entity;
export const ENTITY_PATH = { conversation: "gesprek", signal: "signaal", idea: "idee", gathering: "bijeenkomst" };

export const FIELD_LABELS = {
  occurred_at: "Wanneer", setting: "Waar", residents_count: "Aantal bewoners", themes: "Thema's",
  summary: "Samenvatting", follow_up_needed: "Opvolging nodig", location: "Locatie", buurt_code: "Buurt",
  title: "Titel", description: "Toelichting", theme: "Thema", domain: "Domein", urgency: "Urgentie",
  status: "Status", photos: "Foto's", initiators_count: "Aantal initiatiefnemers", support: "Gevraagde steun",
  budget_requested_cents: "Gevraagd budget", resident_contact: "Contactgegevens bewoner",
  budget_granted_cents: "Toegekend budget", budget_spent_cents: "Besteed", budget_id: "Budget",
  requirements: "Voorwaarden", kind: "Soort bijeenkomst", attendance_count: "Aanwezig", gathering_id: "Bijeenkomst",
  conversation_id: "Gesprek", _schema: "Algemeen", op: "Actie", base_version: "Versie",
};

const CONTACT_LABELS = { name: "naam", phone: "telefoon", email: "e-mail", consent: "toestemming", updates: "op de hoogte blijven" };

/** Flatten the server's messages for a field (a list, or per sub-field for nested values) into text. */
export function messagesOf(value) {
  if (Array.isArray(value)) return value.map(messagesOf).join(" ");
  if (value && typeof value === "object") {
    return Object.entries(value).map(([k, v]) => `${CONTACT_LABELS[k] || FIELD_LABELS[k] || k}: ${messagesOf(v)}`).join(" ");
  }
  return String(value ?? "");
}

/** Show a field value in Dutch for conflict notes. */
export function displayValue(field, value) {
  if (value === null || value === undefined || value === "") return "(leeg)";
  if (field === "setting") return (SETTINGS.find(([c]) => c === value) || [, value])[1];
  if (field === "urgency") return (URGENCIES.find(([c]) => c === value) || [, value])[1];
  if (field === "status") return SIGNAL_STATUS[value] || IDEA_STATUS[value] || value;
  if (typeof value === "boolean") return value ? "ja" : "nee";
  if (Array.isArray(value)) return value.join(", ") || "(leeg)";
  if (typeof value === "object") {
    return "lat" in value ? `${Number(value.lat).toFixed(5)}, ${Number(value.lon).toFixed(5)}` : JSON.stringify(value);
  }
  return String(value);
}

/** Radio buttons that look like chips (one choice). */
export function radioChips(name, legend, options, selected, { required = false } = {}) {
  const items = options.map(([value, label]) => `
    <label class="chip"><input type="radio" name="${name}" value="${esc(value)}"
      ${value === selected ? "checked" : ""} ${required ? "required" : ""}><span>${esc(label)}</span></label>`).join("");
  return `<fieldset class="chips" id="field-${name}"><legend>${esc(legend)}</legend>${items}
    <p class="field-error" data-error-for="${name}" hidden></p></fieldset>`;
}

/** Checkboxes that look like chips (several choices). */
export function checkChips(name, legend, options, selected = []) {
  const items = options.map(([value, label]) => `
    <label class="chip"><input type="checkbox" name="${name}" value="${esc(value)}"
      ${selected.includes(value) ? "checked" : ""}><span>${esc(label)}</span></label>`).join("");
  return `<fieldset class="chips" id="field-${name}"><legend>${esc(legend)}</legend>${items}
    <p class="field-error" data-error-for="${name}" hidden></p></fieldset>`;
}

/** A number stepper with large − and + buttons. */
export function stepper(name, label, value, min = 1, max = 999) {
  return `<div class="field" id="field-${name}"><label for="${name}">${esc(label)}</label>
    <div class="stepper">
      <button type="button" data-step="-1" data-for="${name}" aria-label="${esc(label)}: één minder">−</button>
      <input id="${name}" name="${name}" type="number" inputmode="numeric" min="${min}" max="${max}" value="${esc(value)}">
      <button type="button" data-step="1" data-for="${name}" aria-label="${esc(label)}: één meer">+</button>
    </div><p class="field-error" data-error-for="${name}" hidden></p></div>`;
}

/** Make the steppers in `root` work. */
export function wireSteppers(root) {
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-step]");
    if (!button) return;
    const input = root.querySelector(`#${button.dataset.for}`);
    const next = (Number(input.value) || 0) + Number(button.dataset.step);
    input.value = String(Math.min(Number(input.max), Math.max(Number(input.min), next)));
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

/** A short label for a record in lists. */
export function recordTitle(record) {
  const v = record.view;
  if (record.entity === "conversation") {
    const setting = (SETTINGS.find(([c]) => c === v.setting) || [, "Gesprek"])[1];
    const summary = (v.summary || "").trim();
    return `${setting}${summary ? ` – ${summary.slice(0, 60)}${summary.length > 60 ? "…" : ""}` : ""}`;
  }
  if (record.entity === "gathering") return v.title || `Bijeenkomst (${v.attendance_count || 0} aanwezig)`;
  return v.title || "(zonder titel)";
}

/** Format a time as "27 nov 10:42". */
export function shortTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString("nl-NL", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

/** Badges for the sync state of a record. */
export function syncBadges(record) {
  const badges = [];
  if (record.pending) badges.push(`<span class="badge badge-wait">wacht op verzending</span>`);
  if (record.rejected) badges.push(`<span class="badge badge-error">afgewezen</span>`);
  if ((record.conflicts && record.conflicts.length) || record.view.has_conflict) {
    badges.push(`<span class="badge badge-conflict">conflict</span>`);
  }
  return badges.join(" ");
}

/** The status of a signal or idea as a badge ("" for other records). */
export function statusBadge(record) {
  const status = record.view.status;
  if (!status || !["signal", "idea"].includes(record.entity)) return "";
  return `<span class="badge badge-status badge-status-${esc(status)}">${esc(displayValue("status", status))}</span>`;
}

/** A list of records as links; `withStatus` adds each signal's and idea's status badge. */
export function recordList(records, emptyText, { withStatus = false } = {}) {
  if (!records.length) return `<p class="muted">${esc(emptyText)}</p>`;
  return `<ul class="records">${records.map((r) => `
    <li><a href="#/${ENTITY_PATH[r.entity]}/${r.id}">
      <span class="kind">${ENTITY_LABEL[r.entity]}${withStatus ? ` ${statusBadge(r)}` : ""}</span>
      <span class="title">${esc(recordTitle(r))}</span>
      <span class="meta">${esc(r.view.occurred_at ? `gezien ${seenLabel(r.view.occurred_at)}`
        : shortTime(r.view.created_at || new Date(r.touched_at).toISOString()))}
        ${syncBadges(r)}</span></a></li>`).join("")}</ul>`;
}

/** The conflict and rejection notes shown on a record, with the server's reasons. */
export function recordNotices(record) {
  if (!record) return "";
  let html = "";
  if (record.rejected) {
    const items = Object.entries(record.rejected.errors || {}).map(([field, messages]) =>
      `<li><strong>${esc(FIELD_LABELS[field] || field)}:</strong> ${esc(messagesOf(messages))}</li>`).join("");
    html += `<section class="notice notice-error" id="rejected-notice" aria-labelledby="rejected-title">
      <h2 id="rejected-title">Niet geaccepteerd door de server</h2>
      <ul>${items}</ul>
      <p>Wat u typte is bewaard. Verbeter het hieronder en kies <strong>Opnieuw versturen</strong>.</p></section>`;
  }
  const conflicts = record.conflicts || [];
  if (conflicts.length || record.view.has_conflict) {
    const items = conflicts.map((c) => `<li><strong>${esc(FIELD_LABELS[c.field] || c.field)}:</strong>
      op de server stond <q>${esc(displayValue(c.field, c.server_value))}</q>, uw versie
      <q>${esc(displayValue(c.field, c.client_value))}</q> is opgeslagen.</li>`).join("");
    html += `<section class="notice notice-conflict" id="conflict-notice" aria-labelledby="conflict-title">
      <h2 id="conflict-title">Tegelijk gewijzigd door iemand anders</h2>
      ${items ? `<ul>${items}</ul>` : "<p>Iemand anders wijzigde dit ook.</p>"}
      <p>Klopt het zo? Markeer het conflict als opgelost, of pas de velden aan en sla opnieuw op.</p>
      <button type="button" class="secondary" data-resolve>Conflict opgelost</button>
      <p class="field-error" data-resolve-error hidden></p></section>`;
  }
  return html;
}

/** Show the server's per-field reasons next to the fields of a form. */
export function markFieldErrors(form, errors) {
  for (const p of form.querySelectorAll("[data-error-for]")) { p.hidden = true; p.textContent = ""; }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const [field, messages] of Object.entries(errors || {})) {
    const p = form.querySelector(`[data-error-for="${field}"]`);
    if (!p) continue;
    p.textContent = messagesOf(messages);
    p.hidden = false;
    const input = form.querySelector(`[name="${field}"]`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", p.id || (p.id = `error-${field}`));
    }
  }
}

/**
 * Mark each field's errors; with any, say so above the button and scroll to the first. Returns true when
 * the form is complete.
 */
export function formComplete(form, errors) {
  markFieldErrors(form, errors);
  const formError = form.querySelector("#form-error");
  if (Object.keys(errors).length) {
    formError.textContent = "Nog niet compleet: zie de meldingen hierboven.";
    formError.hidden = false;
    form.querySelector("[aria-invalid], [data-error-for]:not([hidden])")?.scrollIntoView({ block: "center" });
    return false;
  }
  formError.hidden = true;
  return true;
}

/** Show a short message at the bottom of the screen. */
export function toast(text) {
  const el = document.getElementById("toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}
