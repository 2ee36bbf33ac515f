// Screen: an idea (a residents' initiative for their buurt), on its own or from a conversation.
import { renderItemForm } from "../itemform.js";
import { formatEuro, parseEuro } from "../money.js";
import { decisionBlock, fillDecision } from "../programme.js";
import { checkChips, esc, IDEA_STATUS, stepper, SUPPORT } from "../ui.js";

const spec = {
  entity: "idea",
  path: "idee",
  noun: "idee",
  defaults: { initiators_count: 1, support: [], photos: [] },
  statusLabel: (status) => IDEA_STATUS[status] || status,
  extraFields: (v) => `
    ${stepper("initiators_count", "Aantal initiatiefnemers", v.initiators_count || 1, 1, 500)}
    ${checkChips("support", "Gevraagde steun", SUPPORT, v.support || [])}
    <div class="field"><label for="budget_requested">Gevraagd budget in euro (als bekend)</label>
      <p class="hint" id="budget_requested-hint">Bijvoorbeeld 750, 750,50 of 1.500.</p>
      <input id="budget_requested" name="budget_requested_cents" type="text" inputmode="decimal" autocomplete="off"
        aria-describedby="budget_requested-hint budget_requested-preview"
        value="${v.budget_requested_cents == null ? "" : esc(formatEuro(v.budget_requested_cents))}">
      <p class="hint" id="budget_requested-preview" aria-live="polite"></p>
      <p class="field-error" data-error-for="budget_requested_cents" hidden></p></div>
    ${v.status ? `<p class="field">Status: <strong data-live="status">${esc(IDEA_STATUS[v.status] || v.status)}</strong></p>` : ""}`,
  wire(form, _themes, view) {
    // The buurtbudget decision (or the link to apply) at the top, where the coordinator sees it first.
    form.insertAdjacentHTML("afterbegin", decisionBlock(view));
    fillDecision(form, view);
    // Say what will be saved while typing, so "750,50" is never a surprise in the report.
    const input = form.querySelector("#budget_requested");
    const preview = form.querySelector("#budget_requested-preview");
    const show = () => {
      const amount = parseEuro(input.value);
      preview.textContent = amount.error || (amount.cents === null ? "" : `Wordt opgeslagen als ${formatEuro(amount.cents)}`);
      preview.classList.toggle("preview-error", Boolean(amount.error));
    };
    input.addEventListener("input", show);
    show();
  },
  readExtra(form, errors) {
    const amount = parseEuro(form.querySelector("#budget_requested").value);
    if (amount.error) errors.budget_requested_cents = amount.error;
    return {
      initiators_count: Math.max(1, Number(form.initiators_count.value) || 1),
      support: [...form.querySelectorAll("input[name=support]:checked")].map((i) => i.value),
      budget_requested_cents: amount.error ? null : amount.cents,
    };
  },
};

/** Render the idea form. */
export function render(root, params) {
  return renderItemForm(root, params, spec);
}
