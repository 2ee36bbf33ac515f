// The programme on the phone: bijeenkomsten (the one that is open right now) and the buurtbudget
// decision on an idea, in Dutch.
import { VOCABULARY } from "/vocabulary.js";
import { getMeta, setMeta } from "./db.js";
import { formatEuro } from "./money.js";
import { loadRecord, loadRecords } from "./outbox.js";
import { esc } from "./ui.js";

// Codes and labels from the server's one vocabulary (offline_sync/vocabulary.py).
export const GATHERING_KINDS = Object.entries(VOCABULARY.gathering_kind);
export const REQUIREMENTS = Object.entries(VOCABULARY.requirement);

/** The Dutch name of a kind of bijeenkomst. */
export function kindLabel(kind) {
  return (GATHERING_KINDS.find(([code]) => code === kind) || [, "Bijeenkomst"])[1];
}

/** The bijeenkomst that is open on this phone (started, not yet finished), or null. */
export async function openGathering() {
  const id = await getMeta("open_gathering");
  if (!id) return null;
  const record = await loadRecord("gathering", id);
  if (!record || record.view.ended_at) return null;
  return record;
}

/** Remember (or forget, with null) the open bijeenkomst. */
export function setOpenGathering(id) {
  return setMeta("open_gathering", id);
}

/** What was decided on an idea's application, as one line: "Toegekend € 450,00". Null before a decision. */
export function decisionText(view) {
  if (view.status === "granted") return `Toegekend ${formatEuro(view.budget_granted_cents)}`;
  if (view.status === "realised") {
    const spent = view.budget_spent_cents == null ? "" : `, besteed ${formatEuro(view.budget_spent_cents)}`;
    return `Gerealiseerd (toegekend ${formatEuro(view.budget_granted_cents)}${spent})`;
  }
  if (view.status === "declined") return "Afgewezen";
  if (view.status === "application_submitted") {
    return `Aanvraag ingediend: ${formatEuro(view.budget_requested_cents)} gevraagd, wacht op besluit`;
  }
  return null;
}

/** The latest followup text that moved an idea to its current status (the manager's reason), or "". */
export async function decisionReason(ideaId, status) {
  const notes = (await loadRecords()).filter((r) => r.entity === "followup" && r.view.parent_id === ideaId
    && r.view.status_to === status);
  notes.sort((a, b) => (a.view.created_at || "").localeCompare(b.view.created_at || ""));
  const last = notes[notes.length - 1];
  return last ? last.view.text || "" : "";
}

/** The decision block of an idea screen (filled in by `fillDecision`). */
export function decisionBlock(view) {
  const text = decisionText(view);
  const canApply = view.id && ["idea", "in_conversation"].includes(view.status || "idea");
  return `<div class="decision-block" id="decision">
    ${text ? `<p class="decision decision-${esc(view.status)}" data-live="decision"><strong>${esc(text)}</strong></p>` : ""}
    <p class="decision-reason" id="decision-reason" hidden></p>
    ${canApply ? `<a class="action" href="#/idee/${esc(view.id)}/aanvraag">Aanvraag buurtbudget maken</a>` : ""}
    ${view.status === "application_submitted" ? `<a class="action" href="#/idee/${esc(view.id)}/aanvraag">Aanvraag bekijken</a>` : ""}
  </div>`;
}

/** Show the manager's reason under a decline or a request for more information. */
export async function fillDecision(root, view) {
  const slot = root.querySelector("#decision-reason");
  if (!slot || !view.id) return;
  const status = view.status === "declined" ? "declined" : view.status === "in_conversation" ? "in_conversation" : null;
  if (!status) return;
  const reason = await decisionReason(view.id, status);
  if (!reason) return;
  slot.textContent = status === "declined" ? `Reden: ${reason}` : `Gevraagd door de programmamanager: ${reason}`;
  slot.hidden = false;
}
