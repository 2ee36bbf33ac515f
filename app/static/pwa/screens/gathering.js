// Screen: a bijeenkomst. "Bijeenkomst starten" (kind, buurt from GPS), then while it is open the
// attendance with + and −, the conversations logged at it, and "Bijeenkomst afronden". Offline like
// every record: each save is a mutation in the outbox.
import { on } from "../events.js";
import { locationFieldset, locationPicker } from "../location.js";
import { go } from "../nav.js";
import { isoNow, loadRecord, loadRecords } from "../outbox.js";
import { GATHERING_KINDS, kindLabel, setOpenGathering } from "../programme.js";
import { submitRecord, wireNotices } from "../recordform.js";
import { buurtChoices } from "../reference.js";
import { esc, formComplete, radioChips, recordList, shortTime, toast } from "../ui.js";

const SAVE_AFTER_MS = 1500;

/** Render the start form or an existing bijeenkomst. */
export async function render(root, { id }) {
  return id ? renderGathering(root, id) : renderStart(root);
}

async function renderStart(root) {
  const recordId = crypto.randomUUID();
  root.innerHTML = `<h1>Bijeenkomst starten</h1>
    <form id="record-form" novalidate>
      ${radioChips("kind", "Wat voor bijeenkomst?", GATHERING_KINDS, null, { required: true })}
      <div class="field"><label for="title">Naam (niet verplicht)</label>
        <input id="title" name="title" maxlength="200" autocomplete="off" placeholder="bijv. Stamppotavond BIC"></div>
      ${locationFieldset()}
      <p class="form-error" id="form-error" role="alert" hidden></p>
      <button type="submit" class="primary">Bijeenkomst starten</button>
    </form>`;
  const form = root.querySelector("#record-form");
  const picker = await locationPicker(form, { locate: true });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {};
    const kind = form.querySelector("input[name=kind]:checked");
    if (!kind) errors.kind = "Kies wat voor bijeenkomst het is.";
    const where = picker.value();
    if (!where.location && !where.buurt_code) errors.buurt_code = "Kies een buurt of bepaal de locatie.";
    if (!formComplete(form, errors)) return;
    await submitRecord("gathering", recordId, null, {
      kind: kind.value, title: form.title.value.trim(), occurred_at: isoNow(), attendance_count: 0, ...where,
    });
    await setOpenGathering(recordId);
    toast("Bijeenkomst gestart. Gesprekken die u nu vastlegt, horen erbij.");
    go(`#/bijeenkomst/${recordId}`);
  });
  return () => picker.destroy();
}

async function renderGathering(root, id) {
  const record = await loadRecord("gathering", id);
  if (!record) {
    root.innerHTML = `<h1>Bijeenkomst niet gevonden</h1><p><a href="#/">Terug naar start</a></p>`;
    return null;
  }
  const v = record.view;
  const open = !v.ended_at;
  const buurt = (await buurtChoices()).find((b) => b.code === v.buurt_code);
  let count = Number(v.attendance_count) || 0;
  root.innerHTML = `<h1>${esc(v.title || kindLabel(v.kind))}</h1>
    <p class="muted">${esc(kindLabel(v.kind))} · ${esc(buurt ? buurt.name : v.buurt_code || "buurt volgt na verzenden")}
      · begonnen ${esc(shortTime(v.occurred_at))}${v.ended_at ? ` · afgerond ${esc(shortTime(v.ended_at))}` : ""}</p>
    <div id="notices"></div>
    <section class="attendance" aria-labelledby="attendance-title">
      <h2 id="attendance-title">Aanwezig</h2>
      <div class="counter">
        <button type="button" id="less" aria-label="Eén aanwezige minder">−</button>
        <output id="count" aria-live="polite" aria-labelledby="attendance-title">${count}</output>
        <button type="button" id="more" aria-label="Eén aanwezige meer">+</button>
      </div>
    </section>
    ${open ? `<a class="big-action" href="#/gesprek/nieuw">Gesprek bij deze bijeenkomst</a>` : ""}
    <section id="from-gathering" aria-labelledby="from-title"><h2 id="from-title">Vastgelegd op deze bijeenkomst</h2>
      <div id="linked"></div></section>
    ${open ? `<button type="button" id="finish" class="primary">Bijeenkomst afronden</button>`
      : `<p class="notice">Deze bijeenkomst is afgerond.</p>`}`;
  const stopNotices = wireNotices(root, "gathering", id, null);
  const output = root.querySelector("#count");
  let timer = null;

  async function saveCount() {
    clearTimeout(timer);
    timer = null;
    const current = await loadRecord("gathering", id);
    await submitRecord("gathering", id, current, { attendance_count: count });
  }
  function step(delta) {
    count = Math.max(0, count + delta);
    output.textContent = String(count);
    clearTimeout(timer);
    timer = setTimeout(saveCount, SAVE_AFTER_MS);
  }
  root.querySelector("#less").addEventListener("click", () => step(-1));
  root.querySelector("#more").addEventListener("click", () => step(1));

  async function drawLinked() {
    const records = await loadRecords();
    const conversations = records.filter((r) => r.entity === "conversation" && r.view.gathering_id === id);
    const ids = new Set(conversations.map((r) => r.id));
    const raised = records.filter((r) => ["signal", "idea"].includes(r.entity) && ids.has(r.view.conversation_id));
    const slot = root.querySelector("#linked");
    if (slot) slot.innerHTML = recordList([...conversations, ...raised], "Nog geen gesprekken bij deze bijeenkomst.");
  }
  drawLinked();
  const stopLinked = on("records", drawLinked);

  const finish = root.querySelector("#finish");
  if (finish) {
    finish.addEventListener("click", async () => {
      clearTimeout(timer);
      timer = null;
      const current = await loadRecord("gathering", id);
      await submitRecord("gathering", id, current, { attendance_count: count, ended_at: isoNow() });
      await setOpenGathering(null);
      toast(`Bijeenkomst afgerond: ${count} aanwezig.`);
      go(`#/bijeenkomst/${id}`);
    });
  }

  return () => {
    if (timer) saveCount();
    stopNotices();
    stopLinked();
  };
}
