// The status line: "3 wachten op verzending · laatst gesynchroniseerd 10:42 · offline".
import { getAll, getMeta } from "./db.js";
import { on } from "./events.js";
import { pendingMutations } from "./outbox.js";
import { syncState } from "./sync.js";

/** Compose the status text; also returns the figures behind it. */
export async function statusText() {
  return (await statusFigures()).text;
}

async function statusFigures() {
  const [pending, lastSync, authExpired, needsUpdate, user, records] = await Promise.all([
    pendingMutations(), getMeta("last_sync"), getMeta("auth_expired"), getMeta("needs_update"), getMeta("user"),
    getAll("records"),
  ]);
  const rejected = records.filter((r) => r.rejected).length;
  const mine = pending.filter((m) => !user || !m.user_id || m.user_id === user.id).length;
  const parts = [];
  if (!navigator.onLine) parts.push("offline");
  if (mine > 0) parts.push(mine === 1 ? "1 wacht op verzending" : `${mine} wachten op verzending`);
  if (rejected > 0) parts.push(`${rejected} niet geaccepteerd`);
  if (mine === 0 && rejected === 0 && lastSync) parts.push("alles verzonden");
  if (syncState().running) parts.push("bezig met synchroniseren…");
  if (lastSync) {
    const time = new Date(lastSync).toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" });
    parts.push(`laatst gesynchroniseerd ${time}`);
  } else {
    parts.push("nog niet gesynchroniseerd");
  }
  if (authExpired) parts.push("opnieuw aanmelden nodig");
  if (needsUpdate) parts.push("app moet worden bijgewerkt");
  return { text: parts.join(" · "), pending: mine, rejected, lastSync };
}

/** Keep the status line current. */
export function startStatusLine(element) {
  const draw = async () => {
    const figures = await statusFigures();
    element.textContent = figures.text;
    // Machine-readable too, for tests and assistive tooling.
    element.dataset.pending = String(figures.pending);
    element.dataset.rejected = String(figures.rejected);
    element.dataset.lastSync = figures.lastSync || "";
  };
  on("records", draw);
  on("sync", draw);
  window.addEventListener("online", draw);
  window.addEventListener("offline", draw);
  setInterval(draw, 30000);
  draw();
}
