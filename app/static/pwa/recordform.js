// What the conversation, signal and idea forms share: photos, resident contact, the notes about
// conflicts and rejections, and turning a form into a mutation (changed fields only).
import { on } from "./events.js";
import { go } from "./nav.js";
import { loadRecord, saveRecord } from "./outbox.js";
import { photoUrl, preparePhoto } from "./photos.js";
import { requestSync, resolveConflict } from "./sync.js";
import { esc, markFieldErrors, recordNotices, toast } from "./ui.js";

/** The photo field's HTML. */
export function photosField() {
  return `<div class="field" id="field-photos"><p class="label" id="photos-label">Foto's</p>
    <ul class="thumbs" id="thumbs" aria-labelledby="photos-label"></ul>
    <label class="button-like" for="photo-input">Foto maken of kiezen</label>
    <input id="photo-input" class="file-input" type="file" accept="image/*" capture="environment">
    <p class="hint">De foto wordt op de telefoon verkleind; plaats- en toestelgegevens worden verwijderd.</p>
    <p class="field-error" data-error-for="photos" hidden></p></div>`;
}

/** Wire the photo field; returns {value()} with the list of sha256 names. */
export function photosPicker(root, initial = []) {
  const photos = [...initial];
  const list = root.querySelector("#thumbs");
  const input = root.querySelector("#photo-input");

  async function draw() {
    list.innerHTML = photos.map((sha, i) => `<li data-sha="${esc(sha)}"><img alt="Foto ${i + 1}" width="88" height="88">
      <button type="button" data-remove="${esc(sha)}" aria-label="Foto ${i + 1} verwijderen">×</button></li>`).join("");
    for (const li of list.querySelectorAll("li")) {
      const url = await photoUrl(li.dataset.sha);
      if (url) li.querySelector("img").src = url;
    }
  }

  input.addEventListener("change", async () => {
    for (const file of input.files) {
      try {
        photos.push(await preparePhoto(file));
      } catch (error) {
        toast("Deze foto kon niet worden gelezen.");
      }
    }
    input.value = "";
    await draw();
    list.dispatchEvent(new CustomEvent("photos-ready", { bubbles: true }));
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove]");
    if (!button) return;
    photos.splice(photos.indexOf(button.dataset.remove), 1);
    draw();
  });
  draw();
  return { value: () => [...photos] };
}

/** The optional resident contact with explicit consent (write-only: never shown back). */
export function contactField() {
  return `<details class="contact" id="field-resident_contact">
    <summary>Contactgegevens bewoner (alleen met toestemming)</summary>
    <p class="hint">Alleen als de bewoner teruggebeld of gemaild wil worden. Wordt apart bewaard en is voor weinig mensen zichtbaar.</p>
    <label for="contact_name">Naam</label><input id="contact_name" autocomplete="off">
    <label for="contact_phone">Telefoonnummer</label><input id="contact_phone" type="tel" autocomplete="off">
    <label for="contact_email">E-mailadres</label><input id="contact_email" type="email" autocomplete="off">
    <div class="check"><input type="checkbox" id="contact_consent">
      <label for="contact_consent">De bewoner geeft toestemming om deze gegevens te bewaren voor opvolging</label></div>
    <div class="check"><input type="checkbox" id="contact_updates" aria-describedby="contact_updates_hint">
      <label for="contact_updates">Wil op de hoogte blijven</label></div>
    <p class="hint" id="contact_updates_hint">De bewoner krijgt een e-mail als dit wordt opgepakt of afgerond (alleen met e-mailadres).</p>
    <p class="field-error" data-error-for="resident_contact" hidden></p>
  </details>`;
}

/** Put contact details back into the form (after a rejection, so the worker can correct them). */
export function fillContact(root, contact) {
  if (!contact) return;
  root.querySelector("#contact_name").value = contact.name || "";
  root.querySelector("#contact_phone").value = contact.phone || "";
  root.querySelector("#contact_email").value = contact.email || "";
  root.querySelector("#contact_consent").checked = Boolean(contact.consent);
  root.querySelector("#contact_updates").checked = Boolean(contact.updates);
  root.querySelector("#field-resident_contact").open = true;
}

/** Read the contact block: null when empty, an error text when consent is missing. */
export function contactValue(root) {
  const name = root.querySelector("#contact_name").value.trim();
  const phone = root.querySelector("#contact_phone").value.trim();
  const email = root.querySelector("#contact_email").value.trim();
  if (!name && !phone && !email) return { value: null };
  if (!root.querySelector("#contact_consent").checked) {
    return { error: "Vink aan dat de bewoner toestemming geeft, of laat de contactgegevens leeg." };
  }
  const updates = root.querySelector("#contact_updates").checked;
  if (updates && !email) return { error: "Vul een e-mailadres in om de bewoner op de hoogte te houden." };
  return { value: { name: name || null, phone: phone || null, email: email || null, consent: true, updates } };
}

const TIMES = new Set(["occurred_at", "ended_at"]);
/** Equal values; times are equal when they are the same instant (typed "+01:00", the server's copy in UTC). */
const same = (key, a, b) => (TIMES.has(key) && a && b ? Date.parse(a) === Date.parse(b)
  : JSON.stringify(a ?? null) === JSON.stringify(b ?? null));

/**
 * Queue the form's fields as one mutation.
 *
 * New records send every field. Existing ones send only what changed, so an edit never overwrites
 * a field someone else changed meanwhile; after a rejection the rejected fields go along again.
 */
export async function submitRecord(entity, id, shown, fields) {
  let send = fields;
  // Compare with the record as it is now: a sync may have answered while the form was open.
  const record = shown ? (await loadRecord(entity, id)) || shown : null;
  if (record) {
    send = Object.fromEntries(Object.entries(fields).filter(([key, value]) => !same(key, value, record.view[key])));
    if (record.rejected) send = { ...record.rejected.fields, ...send };
  }
  if (Object.keys(send).length === 0) return false;
  await saveRecord(entity, id, send);
  requestSync();
  return true;
}

/** Show the notes on a record and keep them current while the screen is open. */
export function wireNotices(root, entity, id, form) {
  const slot = root.querySelector("#notices");
  async function draw() {
    const record = await loadRecord(entity, id);
    slot.innerHTML = recordNotices(record);
    if (form) markFieldErrors(form, record && record.rejected ? record.rejected.errors : {});
    const contact = record && record.rejected && record.rejected.fields.resident_contact;
    if (form && contact && !form.querySelector("#contact_email").value && !form.querySelector("#contact_phone").value
      && !form.querySelector("#contact_name").value) fillContact(form, contact);
    const submit = form && form.querySelector("button[type=submit].primary");
    if (submit && record && record.rejected) submit.textContent = "Opnieuw versturen";
  }
  slot.addEventListener("click", async (event) => {
    if (!event.target.closest("[data-resolve]")) return;
    const error = slot.querySelector("[data-resolve-error]");
    try {
      const result = await resolveConflict(entity, id);
      if (!result.ok) throw new Error(result.data?.detail || `Fout ${result.status}`);
      toast("Conflict opgelost.");
    } catch (e) {
      error.textContent = navigator.onLine ? `Niet gelukt: ${e.message}` : "Oplossen kan alleen met verbinding.";
      error.hidden = false;
    }
  });
  draw();
  return on("records", draw);
}

/**
 * Keep an open record screen true to the server: when a sync brings a newer server version, show
 * its status at once and redraw the screen, unless the worker is typing in it (then the next save
 * merges field by field, see submitRecord).
 */
export function followServer(root, entity, shown, statusLabel) {
  if (!shown) return () => {};
  const form = root.querySelector("form");
  let typing = false;
  const touched = () => { typing = true; };
  form.addEventListener("input", touched);
  form.addEventListener("change", touched);
  const check = async () => {
    const record = await loadRecord(entity, shown.id);
    if (!record || !root.isConnected || (record.version || 0) <= (shown.version || 0)) return;
    const status = root.querySelector("[data-live=status]");
    if (status && record.view.status) status.textContent = statusLabel(record.view.status);
    if (!typing) go(location.hash);
  };
  const stop = on("records", check);
  // A sync that stored a newer version while this screen was being drawn announced it before the line
  // above listened: look once now, or the screen would wait for the next sync.
  check();
  return stop;
}

/** Say "Niets gewijzigd." in the form itself (a toast would linger over the next screen). */
export function nothingChanged(form) {
  const status = form.querySelector("#form-status");
  status.textContent = "Niets gewijzigd: er is niets om te versturen.";
  form.addEventListener("input", () => { status.textContent = ""; }, { once: true });
}
