import { apiFetch, setCsrf } from "./session.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const HOME = { field_worker: "/app/", team: "/kaart", manager: "/dashboard", admin: "/kaart" };

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  try {
    const me = await apiFetch("/api/v1/auth/login", {
      method: "POST",
      body: { email: form.email.value, password: form.password.value },
    });
    setCsrf(me.csrf_token);
    const next = form.dataset.next || HOME[me.role] || "/";
    window.location.href = me.must_change_password ? `/wachtwoord?next=${encodeURIComponent(next)}` : next;
  } catch (err) {
    error.textContent = err.status === 429
      ? "Te veel pogingen. Wacht even en probeer het opnieuw."
      : err.status === 401 ? "E-mailadres of wachtwoord klopt niet." : err.message;
    // A deactivated account answers 403 with a Dutch explanation (err.message) of whom to ask.
    error.hidden = false;
  }
});
