// My e-mail setting: PATCH /api/v1/me {notify_email}.
import { apiFetch } from "/static/js/session.js";

const form = document.getElementById("settings-form");
const message = document.getElementById("settings-message");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const notify = document.getElementById("notify-email").checked;
  try {
    await apiFetch("/api/v1/me", { method: "PATCH", body: { notify_email: notify } });
    message.textContent = notify ? "Opgeslagen: u krijgt deze e-mail." : "Opgeslagen: u krijgt deze e-mail niet meer.";
  } catch (error) {
    message.textContent = `Niet opgeslagen: ${error.message}`;
  }
});
