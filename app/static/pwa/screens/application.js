// Screen: turn an idea into an application for the buurtbudget, with the residents: the amount
// (Dutch notation, shown back as "€ 1.500,00" before saving), which support, the two requirements,
// the number of initiators and an optional photo. Offline like everything else.
import { go } from "../nav.js";
import { formatEuro, parseEuro } from "../money.js";
import { loadRecord, saveRecord } from "../outbox.js";
import { decisionText, REQUIREMENTS } from "../programme.js";
import { photosField, photosPicker, submitRecord, wireNotices } from "../recordform.js";
import { checkChips, esc, formComplete, stepper, SUPPORT, toast, wireSteppers } from "../ui.js";

/** Render the application form of an idea. */
export async function render(root, { id }) {
  const record = await loadRecord("idea", id);
  if (!record) {
    root.innerHTML = `<h1>Idee niet gevonden</h1><p><a href="#/">Terug naar start</a></p>`;
    return null;
  }
  const v = record.view;
  const status = v.status || "idea";
  const editable = ["idea", "in_conversation", "application_submitted"].includes(status);
  const decided = decisionText(v);
  root.innerHTML = `<h1>Aanvraag buurtbudget</h1>
    <p class="muted">Voor het idee <a href="#/idee/${esc(id)}">${esc(v.title || "(zonder titel)")}</a></p>
    ${decided ? `<p class="decision"><strong>${esc(decided)}</strong></p>` : ""}
    <div id="notices"></div>
    <form id="record-form" novalidate ${editable ? "" : "inert"}>
      <div class="field"><label for="amount">Gevraagd bedrag in euro</label>
        <p class="hint" id="amount-hint">Bijvoorbeeld 450, 750,50 of 1.500. Vul 0 in als er geen geld nodig is.</p>
        <input id="amount" name="budget_requested_cents" type="text" inputmode="decimal" autocomplete="off"
          aria-describedby="amount-hint amount-preview"
          value="${v.budget_requested_cents == null ? "" : esc(formatEuro(v.budget_requested_cents).slice(2))}">
        <p class="hint amount-preview" id="amount-preview" aria-live="polite"></p>
        <p class="field-error" data-error-for="budget_requested_cents" hidden></p></div>
      ${checkChips("support", "Welke steun is nodig?", SUPPORT, v.support || [])}
      ${checkChips("requirements", "Voldoet het aan de voorwaarden?", REQUIREMENTS, v.requirements || [])}
      ${stepper("initiators_count", "Aantal initiatiefnemers", v.initiators_count || 1, 1, 500)}
      ${photosField()}
      <p class="form-error" id="form-error" role="alert" hidden></p>
      <button type="submit" class="primary">${status === "application_submitted" ? "Aanvraag bijwerken" : "Aanvraag indienen"}</button>
      <p class="form-status" id="form-status" role="status"></p>
    </form>`;
  const form = root.querySelector("#record-form");
  wireSteppers(form);
  const photos = photosPicker(form, v.photos || []);
  const stopNotices = wireNotices(root, "idea", id, form);
  const input = form.querySelector("#amount");
  const preview = form.querySelector("#amount-preview");
  const show = () => {
    const amount = parseEuro(input.value);
    preview.textContent = amount.error || (amount.cents === null ? "" : `Wordt aangevraagd als ${formatEuro(amount.cents)}`);
    preview.classList.toggle("preview-error", Boolean(amount.error));
  };
  input.addEventListener("input", show);
  show();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {};
    const amount = parseEuro(input.value);
    if (amount.error) errors.budget_requested_cents = amount.error;
    else if (amount.cents === null) errors.budget_requested_cents = "Vul het gevraagde bedrag in (0 mag).";
    const requirements = [...form.querySelectorAll("input[name=requirements]:checked")].map((i) => i.value);
    if (requirements.length < REQUIREMENTS.length) {
      errors.requirements = "Een aanvraag voldoet aan beide voorwaarden; bespreek het anders eerst met de bewoners.";
    }
    if (!formComplete(form, errors)) return;
    const fields = {
      budget_requested_cents: amount.cents,
      support: [...form.querySelectorAll("input[name=support]:checked")].map((i) => i.value),
      requirements,
      initiators_count: Math.max(1, Number(form.initiators_count.value) || 1),
      photos: photos.value(),
    };
    const current = (await loadRecord("idea", id)) || record;
    const now = current.view.status || "idea";
    // The workflow goes idea → in gesprek → aanvraag ingediend; one step per mutation.
    if (now === "idea") await saveRecord("idea", id, { status: "in_conversation" });
    if (now !== "application_submitted") fields.status = "application_submitted";
    await submitRecord("idea", id, await loadRecord("idea", id), fields);
    toast(`Aanvraag van ${formatEuro(amount.cents)} bewaard op de telefoon; wordt verzonden.`);
    go(`#/idee/${id}`);
  });

  return () => stopNotices();
}
