// Screen: everything I recorded on this phone or elsewhere, newest first, with the status of each
// signal and idea, and what changed since I last looked (who, the new status, the note for the resident).
import { on } from "../events.js";
import { loadRecords } from "../outbox.js";
import { displayValue, esc, recordList, recordTitle } from "../ui.js";

const SEEN_KEY = "muurtje.seen-status";

/** {record id: status_changed_at} as it was when I last marked it seen. */
function seenStatus() {
  try {
    return JSON.parse(localStorage.getItem(SEEN_KEY)) || {};
  } catch {
    return {};
  }
}

/** My signals and ideas whose status changed after I last looked. */
export function changedSinceLooked(records, seen = seenStatus()) {
  return records.filter((r) => r.view.status_changed_at && seen[r.id] !== r.view.status_changed_at);
}

function markSeen(records) {
  const seen = seenStatus();
  for (const r of records) seen[r.id] = r.view.status_changed_at;
  localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
}

function changeNotice(changed) {
  if (!changed.length) return "";
  const items = changed.map((r) => {
    const who = r.view.status_changed_by_name || "Een collega";
    const note = r.view.public_note ? `<blockquote>${esc(r.view.public_note)}</blockquote>` : "";
    return `<li><a href="#/${r.entity === "idea" ? "idee" : "signaal"}/${r.id}">${esc(recordTitle(r))}</a>:
      ${esc(who)} zette de status op <strong>${esc(displayValue("status", r.view.status))}</strong>.${note}</li>`;
  }).join("");
  return `<section class="notice notice-change" id="changed-notice" aria-labelledby="changed-title">
    <h2 id="changed-title">Gewijzigd sinds u keek</h2><ul>${items}</ul>
    <button type="button" class="secondary" data-seen>Gezien</button></section>`;
}

/** Render my records. */
export async function render(root) {
  root.innerHTML = `<h1>Mijn registraties</h1><div id="changes"></div><div id="list"></div>`;
  const draw = async () => {
    const mine = (await loadRecords()).filter((r) => r.mine && r.entity !== "followup");
    const changed = changedSinceLooked(mine);
    root.querySelector("#changes").innerHTML = changeNotice(changed);
    root.querySelector("[data-seen]")?.addEventListener("click", () => {
      markSeen(changed);
      draw();
    });
    root.querySelector("#list").innerHTML = recordList(mine, "Nog niets vastgelegd.", { withStatus: true });
  };
  await draw();
  return on("records", draw);
}
