// Send a failed e-mail again (admins).
import { apiFetch } from "/static/js/session.js";

const message = document.getElementById("failed-message");
for (const button of document.querySelectorAll("[data-retry]")) {
  button.addEventListener("click", async () => {
    try {
      await apiFetch(`/api/v1/notifications/${button.dataset.retry}/retry`, { method: "POST" });
      button.disabled = true;
      button.textContent = "In de wachtrij";
      message.textContent = "Het bericht staat weer in de wachtrij.";
    } catch (error) {
      message.textContent = `Niet gelukt: ${error.message}`;
    }
  });
}
