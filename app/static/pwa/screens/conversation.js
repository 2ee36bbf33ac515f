// Screen: a conversation (new or existing) with its signals and ideas.
import { on } from "../events.js";
import { contactField, contactValue, followServer, nothingChanged, submitRecord, wireNotices } from "../recordform.js";
import { locationFieldset, locationPicker } from "../location.js";
import { loadRecord, loadRecords } from "../outbox.js";
import { kindLabel, openGathering } from "../programme.js";
import { themes } from "../reference.js";
import { go } from "../nav.js";
import { checkChips, esc, formComplete, radioChips, recordList, SETTINGS, stepper, toast, wireSteppers } from "../ui.js";
import { readWhen, seenLabel, whenField } from "../when.js";

/** Render the conversation form. */
export async function render(root, { id }) {
  const isNew = !id;
  const opened = new Date();
  const recordId = id || crypto.randomUUID();
  const record = isNew ? null : await loadRecord("conversation", id);
  if (!isNew && !record) {
    root.innerHTML = `<h1>Gesprek niet gevonden</h1><p><a href="#/">Terug naar start</a></p>`;
    return null;
  }
  // While a bijeenkomst is open on this phone, a new conversation belongs to it.
  const gathering = isNew ? await openGathering() : null;
  const v = record ? record.view : { setting: gathering ? "gathering" : null, residents_count: 1, themes: [], summary: "",
    follow_up_needed: false, gathering_id: gathering ? gathering.id : null };
  const themeOptions = (await themes()).map((t) => [t.code, t.label]);
  root.innerHTML = `<h1>${isNew ? "Nieuw gesprek" : "Gesprek"}</h1>
    ${!isNew && v.occurred_at ? `<p class="muted" id="seen">Gezien ${esc(seenLabel(v.occurred_at))}</p>` : ""}
    ${v.gathering_id ? `<p class="muted">Bij <a href="#/bijeenkomst/${esc(v.gathering_id)}">${esc(gathering ? gathering.view.title || kindLabel(gathering.view.kind) : "de bijeenkomst")}</a></p>` : ""}
    <div id="notices"></div>
    <form id="record-form" novalidate data-version="${record ? record.version || 0 : 0}">
      ${radioChips("setting", "Waar was het gesprek?", SETTINGS, v.setting, { required: true })}
      ${stepper("residents_count", "Aantal bewoners", v.residents_count || 1, 1, 500)}
      ${checkChips("themes", "Thema's", themeOptions, v.themes || [])}
      <div class="field"><label for="summary">Korte samenvatting</label>
        <p class="hint" id="summary-hint">Waar ging het over? Schrijf geen namen van bewoners.</p>
        <textarea id="summary" name="summary" rows="4" maxlength="4000" aria-describedby="summary-hint">${esc(v.summary || "")}</textarea>
        <p class="field-error" data-error-for="summary" hidden></p></div>
      <div class="check switch"><input type="checkbox" id="follow_up_needed" name="follow_up_needed" ${v.follow_up_needed ? "checked" : ""}>
        <label for="follow_up_needed">Opvolging nodig</label></div>
      ${whenField(v.occurred_at, opened)}
      ${locationFieldset()}
      ${contactField()}
      <p class="form-error" id="form-error" role="alert" hidden></p>
      <button type="submit" class="primary" data-then="">Opslaan</button>
      <p class="form-status" id="form-status" role="status"></p>
      <div class="row">
        <button type="submit" data-then="signaal">Opslaan + signaal</button>
        <button type="submit" data-then="idee">Opslaan + idee</button>
      </div>
    </form>
    <section id="linked"></section>`;
  const form = root.querySelector("#record-form");
  wireSteppers(form);
  const picker = await locationPicker(form, { location: v.location, buurtCode: v.buurt_code, locate: isNew });
  const stopNotices = wireNotices(root, "conversation", recordId, form);
  const stopFollowing = followServer(root, "conversation", record, (status) => status);

  async function drawLinked() {
    if (isNew) return;
    const linked = (await loadRecords()).filter((r) => r.view.conversation_id === recordId);
    root.querySelector("#linked").setAttribute("aria-labelledby", "linked-title");
    root.querySelector("#linked").innerHTML = `<h2 id="linked-title">Signalen en ideeën uit dit gesprek</h2>
      ${recordList(linked, "Nog geen signalen of ideeën.")}`;
  }
  drawLinked();
  const stopLinked = on("records", drawLinked);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const then = event.submitter ? event.submitter.dataset.then : "";
    const errors = {};
    const setting = form.querySelector("input[name=setting]:checked");
    if (!setting) errors.setting = "Kies waar het gesprek was.";
    const where = picker.value();
    if (!where.location && !where.buurt_code) errors.buurt_code = "Kies een buurt of bepaal de locatie.";
    const contact = contactValue(form);
    if (contact.error) errors.resident_contact = contact.error;
    const occurredAt = readWhen(form, errors, { stored: v.occurred_at, opened });
    if (!formComplete(form, errors)) return;
    const fields = {
      occurred_at: occurredAt,
      setting: setting.value,
      residents_count: Math.max(1, Number(form.residents_count.value) || 1),
      themes: [...form.querySelectorAll("input[name=themes]:checked")].map((i) => i.value),
      summary: form.summary.value.trim(),
      follow_up_needed: form.follow_up_needed.checked,
      ...where,
    };
    if (contact.value) fields.resident_contact = contact.value;
    if (isNew && v.gathering_id) fields.gathering_id = v.gathering_id;
    const saved = await submitRecord("conversation", recordId, record, fields);
    if (!saved && !then) {
      nothingChanged(form);
      return;
    }
    if (saved) toast("Gesprek bewaard op de telefoon.");
    go(then ? `#/${then}/nieuw?gesprek=${recordId}` : `#/gesprek/${recordId}`);
  });

  return () => { stopNotices(); stopFollowing(); stopLinked(); picker.destroy(); };
}
