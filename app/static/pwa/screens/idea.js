// Screen: an idea (a residents' initiative for their buurt), on its own or from a conversation.
import { renderItemForm } from "../itemform.js";
import { checkChips, esc, IDEA_STATUS, stepper, SUPPORT } from "../ui.js";

const spec = {
  entity: "idea",
  path: "idee",
  noun: "idee",
  defaults: { initiators_count: 1, support: [], photos: [] },
  extraFields: (v) => `
    ${stepper("initiators_count", "Aantal initiatiefnemers", v.initiators_count || 1, 1, 500)}
    ${checkChips("support", "Gevraagde steun", SUPPORT, v.support || [])}
    <div class="field"><label for="budget_requested">Gevraagd budget in euro (als bekend)</label>
      <input id="budget_requested" name="budget_requested_cents" type="number" inputmode="decimal" min="0" step="1"
        value="${v.budget_requested_cents == null ? "" : esc(v.budget_requested_cents / 100)}">
      <p class="field-error" data-error-for="budget_requested_cents" hidden></p></div>
    ${v.status ? `<p class="field">Status: <strong>${esc(IDEA_STATUS[v.status] || v.status)}</strong></p>` : ""}`,
  readExtra(form, errors) {
    const raw = form.querySelector("#budget_requested").value.trim();
    const euros = raw === "" ? null : Number(raw.replace(",", "."));
    if (euros !== null && (!Number.isFinite(euros) || euros < 0)) errors.budget_requested_cents = "Vul een bedrag in euro in.";
    return {
      initiators_count: Math.max(1, Number(form.initiators_count.value) || 1),
      support: [...form.querySelectorAll("input[name=support]:checked")].map((i) => i.value),
      budget_requested_cents: euros === null || !Number.isFinite(euros) ? null : Math.round(euros * 100),
    };
  },
};

/** Render the idea form. */
export function render(root, params) {
  return renderItemForm(root, params, spec);
}
