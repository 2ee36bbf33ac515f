// Screen: a signal (a problem noticed or raised), on its own or from a conversation.
import { renderItemForm } from "../itemform.js";
import { DOMAINS, esc, radioChips, SIGNAL_STATUS, URGENCIES } from "../ui.js";

const spec = {
  entity: "signal",
  path: "signaal",
  noun: "signaal",
  defaults: { urgency: "normal", domain: null, photos: [] },
  statusLabel: (status) => SIGNAL_STATUS[status] || status,
  extraFields: (v) => `
    ${radioChips("domain", "Domein", DOMAINS, v.domain)}
    ${radioChips("urgency", "Urgentie", URGENCIES, v.urgency || "normal")}
    ${v.status ? `<p class="field">Status: <strong data-live="status">${esc(SIGNAL_STATUS[v.status] || v.status)}</strong></p>` : ""}`,
  wire(form, themeList) {
    // Picking a theme suggests its domain until the worker chooses a domain themselves.
    let touched = Boolean(form.querySelector("input[name=domain]:checked"));
    form.addEventListener("change", (event) => {
      if (event.target.name === "domain") touched = true;
      if (event.target.name !== "theme" || touched) return;
      const theme = themeList.find((t) => t.code === event.target.value);
      const radio = theme && form.querySelector(`input[name=domain][value="${theme.domain}"]`);
      if (radio) radio.checked = true;
    });
  },
  readExtra(form) {
    const domain = form.querySelector("input[name=domain]:checked");
    const urgency = form.querySelector("input[name=urgency]:checked");
    return { domain: domain ? domain.value : "both", urgency: urgency ? urgency.value : "normal" };
  },
};

/** Render the signal form. */
export function render(root, params) {
  return renderItemForm(root, params, spec);
}
