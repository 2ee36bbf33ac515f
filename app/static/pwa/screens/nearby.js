// Screen: "In deze buurt" — what is already known here, from the records pulled to the phone.
import { on } from "../events.js";
import { buurtAt } from "../geo.js";
import { loadRecords } from "../outbox.js";
import { buurtChoices, buurtenIndex } from "../reference.js";
import { esc, recordList } from "../ui.js";
import { VOCABULARY } from "/vocabulary.js";

const OPEN_SIGNAL = new Set(VOCABULARY.open_signal_statuses);
let lastBuurt = null;

/** Render the records of the buurt I am in (or choose). */
export async function render(root) {
  const choices = await buurtChoices();
  root.innerHTML = `<h1>In deze buurt</h1>
    <label for="nearby-buurt">Buurt</label>
    <select id="nearby-buurt"><option value="">– kies een buurt –</option>
      ${choices.map((b) => `<option value="${esc(b.code)}">${esc(b.name)}</option>`).join("")}</select>
    <p id="nearby-status" class="muted" aria-live="polite"></p>
    <div id="nearby-list"></div>`;
  const select = root.querySelector("#nearby-buurt");
  const status = root.querySelector("#nearby-status");

  async function draw() {
    const code = select.value;
    const list = root.querySelector("#nearby-list");
    if (!code) { list.innerHTML = ""; return; }
    lastBuurt = code;
    const here = (await loadRecords()).filter((r) => r.view.buurt_code === code && r.entity !== "followup");
    const signals = here.filter((r) => r.entity === "signal")
      .sort((a, b) => Number(OPEN_SIGNAL.has(b.view.status)) - Number(OPEN_SIGNAL.has(a.view.status)));
    const ideas = here.filter((r) => r.entity === "idea");
    const talks = here.filter((r) => r.entity === "conversation");
    list.innerHTML = `
      <h2>Signalen (${signals.filter((r) => OPEN_SIGNAL.has(r.view.status)).length} open)</h2>${recordList(signals, "Geen signalen bekend.")}
      <h2>Ideeën</h2>${recordList(ideas, "Geen ideeën bekend.")}
      <h2>Gesprekken (${talks.length})</h2>${recordList(talks.slice(0, 10), "Nog geen gesprekken.")}`;
  }

  select.addEventListener("change", draw);
  if (lastBuurt) {
    select.value = lastBuurt;
    draw();
  }
  if (navigator.geolocation) {
    status.textContent = "Buurt bepalen met GPS…";
    navigator.geolocation.getCurrentPosition(async (pos) => {
      const buurt = buurtAt(await buurtenIndex(), pos.coords.longitude, pos.coords.latitude);
      status.textContent = buurt ? `U bent in ${buurt.buurt_name}.` : "Uw plek ligt buiten de bekende buurten.";
      if (buurt && select.isConnected) {
        select.value = buurt.buurt_code;
        draw();
      }
    }, () => { status.textContent = "Geen GPS-locatie: kies de buurt."; }, { timeout: 15000, maximumAge: 60000 });
  }
  return on("records", draw);
}
