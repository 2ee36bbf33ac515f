// Screen: the outbox — what waits to be sent, what the server refused, and a "send now" button.
import { getMeta } from "../db.js";
import { on } from "../events.js";
import { foreignPending } from "../handover.js";
import { loadRecords, pendingMutations } from "../outbox.js";
import { syncNow, syncState } from "../sync.js";
import { ENTITY_LABEL, ENTITY_PATH, esc, recordList, recordTitle, shortTime } from "../ui.js";

/** Render the outbox. */
export async function render(root) {
  root.innerHTML = `<h1>Uitbox</h1>
    <p class="hint">Alles wat u vastlegt, staat eerst veilig op deze telefoon en gaat mee zodra er verbinding is.</p>
    <button type="button" class="primary" id="send-now">Nu verzenden</button>
    <p id="sync-error" class="form-error" hidden></p>
    <p id="foreign" class="notice" hidden></p>
    <section aria-labelledby="pending-title"><h2 id="pending-title">Wacht op verzending</h2><div id="pending"></div></section>
    <section aria-labelledby="rejected-title"><h2 id="rejected-title">Niet geaccepteerd – verbeteren</h2><div id="rejected"></div></section>
    <section aria-labelledby="conflict-title"><h2 id="conflict-title">Conflicten</h2><div id="conflicts"></div></section>`;

  async function draw() {
    const [pending, records, expired] = await Promise.all([pendingMutations(), loadRecords(), getMeta("auth_expired")]);
    const byKey = new Map(records.map((r) => [`${r.entity}:${r.id}`, r]));
    root.querySelector("#pending").innerHTML = pending.length
      ? `<ol class="records">${pending.map((m) => {
        const record = byKey.get(`${m.entity}:${m.id}`);
        const title = record ? recordTitle(record) : m.id;
        return `<li><a href="#/${ENTITY_PATH[m.entity]}/${m.id}"><span class="kind">${ENTITY_LABEL[m.entity]}</span>
          <span class="title">${esc(title)}</span><span class="meta">${m.base_version ? "wijziging" : "nieuw"} ·
          ${esc(shortTime(m.client_time))}</span></a></li>`;
      }).join("")}</ol>`
      : `<p class="muted">Niets: alles is verzonden.</p>`;
    root.querySelector("#rejected").innerHTML = recordList(records.filter((r) => r.rejected), "Geen.");
    root.querySelector("#conflicts").innerHTML = recordList(
      records.filter((r) => (r.conflicts && r.conflicts.length) || r.view.has_conflict), "Geen.");
    const foreign = (await foreignPending()).reduce((n, a) => n + a.count, 0);
    const notice = root.querySelector("#foreign");
    notice.hidden = foreign === 0;
    notice.innerHTML = foreign ? `${foreign} items van een eerdere gebruiker wachten.
      <a href="#/overdragen">Verzenden onder mijn naam</a>` : "";
    const button = root.querySelector("#send-now");
    button.disabled = !navigator.onLine || syncState().running;
    const error = root.querySelector("#sync-error");
    const message = expired ? "Meld u opnieuw aan om te verzenden." : syncState().lastError;
    error.hidden = !message;
    error.textContent = message ? `Laatste poging: ${message}` : "";
  }

  root.querySelector("#send-now").addEventListener("click", () => syncNow());
  await draw();
  const stops = [on("records", draw), on("sync", draw)];
  window.addEventListener("online", draw);
  window.addEventListener("offline", draw);
  return () => {
    stops.forEach((stop) => stop());
    window.removeEventListener("online", draw);
    window.removeEventListener("offline", draw);
  };
}
