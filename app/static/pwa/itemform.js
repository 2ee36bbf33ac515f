// The form shared by the signal and idea screens: title, description, theme, photos, location,
// resident contact, plus the entity's own fields; opened on its own or from a conversation.
import { go } from "./nav.js";
import { locationFieldset, locationPicker } from "./location.js";
import { loadRecord } from "./outbox.js";
import {
  contactField, contactValue, followServer, nothingChanged, photosField, photosPicker, submitRecord, wireNotices,
} from "./recordform.js";
import { themes } from "./reference.js";
import { ENTITY_LABEL, esc, formComplete, radioChips, toast, wireSteppers } from "./ui.js";
import { readWhen, seenLabel, whenField } from "./when.js";

/**
 * Render a signal or idea form.
 *
 * `spec` gives the entity, its defaults, the HTML of its own fields (`extraFields(view)`), and how to
 * read them back (`readExtra(form, errors)`).
 */
export async function renderItemForm(root, { id, query }, spec) {
  const isNew = !id;
  const opened = new Date();
  const recordId = id || crypto.randomUUID();
  const record = isNew ? null : await loadRecord(spec.entity, id);
  if (!isNew && !record) {
    root.innerHTML = `<h1>${ENTITY_LABEL[spec.entity]} niet gevonden</h1><p><a href="#/">Terug naar start</a></p>`;
    return null;
  }
  const conversationId = record ? record.view.conversation_id : query.get("gesprek");
  const conversation = conversationId ? await loadRecord("conversation", conversationId) : null;
  const v = record ? record.view : { ...spec.defaults, conversation_id: conversationId || null };
  const themeList = await themes();
  const heading = isNew ? `Nieuw ${spec.noun}` : ENTITY_LABEL[spec.entity];
  root.innerHTML = `<h1>${esc(heading)}</h1>
    ${!isNew && v.occurred_at ? `<p class="muted" id="seen">Gezien ${esc(seenLabel(v.occurred_at))}</p>` : ""}
    ${conversation ? `<p class="muted">Bij <a href="#/gesprek/${conversation.id}">het gesprek van ${esc(new Date(conversation.view.occurred_at).toLocaleString("nl-NL", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }))}</a></p>` : ""}
    <div id="notices"></div>
    <form id="record-form" novalidate>
      <div class="field"><label for="title">Titel</label>
        <input id="title" name="title" maxlength="200" required value="${esc(v.title || "")}" autocomplete="off">
        <p class="field-error" data-error-for="title" hidden></p></div>
      <div class="field"><label for="description">Toelichting</label>
        <p class="hint" id="description-hint">Wat is er aan de hand? Schrijf geen namen van bewoners.</p>
        <textarea id="description" name="description" rows="3" aria-describedby="description-hint">${esc(v.description || "")}</textarea>
        <p class="field-error" data-error-for="description" hidden></p></div>
      ${radioChips("theme", "Thema", themeList.map((t) => [t.code, t.label]), v.theme)}
      ${spec.extraFields(v)}
      ${whenField(v.occurred_at, opened)}
      ${photosField()}
      ${locationFieldset()}
      ${contactField()}
      <p class="form-error" id="form-error" role="alert" hidden></p>
      <button type="submit" class="primary">Opslaan</button>
      <p class="form-status" id="form-status" role="status"></p>
    </form>`;
  const form = root.querySelector("#record-form");
  wireSteppers(form);
  const photos = photosPicker(form, v.photos || []);
  const start = v.location || (conversation && conversation.view.location) || null;
  const startBuurt = v.buurt_code || (conversation && !start ? conversation.view.buurt_code : null);
  const picker = await locationPicker(form, { location: start, buurtCode: startBuurt, locate: isNew && !start && !startBuurt });
  const stopNotices = wireNotices(root, spec.entity, recordId, form);
  const stopFollowing = followServer(root, spec.entity, record, spec.statusLabel);
  if (spec.wire) spec.wire(form, themeList, v);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {};
    const title = form.title.value.trim();
    if (!title) errors.title = "Geef een korte titel.";
    const where = picker.value();
    if (!where.location && !where.buurt_code) errors.buurt_code = "Kies een buurt of bepaal de locatie.";
    const contact = contactValue(form);
    if (contact.error) errors.resident_contact = contact.error;
    const extra = spec.readExtra(form, errors);
    const occurredAt = readWhen(form, errors, { stored: v.occurred_at, opened });
    if (!formComplete(form, errors)) return;
    const theme = form.querySelector("input[name=theme]:checked");
    const fields = {
      title, description: form.description.value.trim(), theme: theme ? theme.value : null,
      occurred_at: occurredAt, photos: photos.value(), ...extra, ...where,
    };
    if (isNew) fields.conversation_id = conversationId || null;
    if (contact.value) fields.resident_contact = contact.value;
    const saved = await submitRecord(spec.entity, recordId, record, fields);
    if (!saved) {
      nothingChanged(form);
      return;
    }
    toast(`${ENTITY_LABEL[spec.entity]} bewaard op de telefoon.`);
    go(conversationId && isNew ? `#/gesprek/${conversationId}` : `#/${spec.path}/${recordId}`);
  });

  return () => { stopNotices(); stopFollowing(); picker.destroy(); };
}
