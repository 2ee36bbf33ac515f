// Screen: sign in once; the device token keeps the phone signed in through long offline periods.
import { getMeta } from "../db.js";
import { screenAfterSignIn } from "../handover.js";
import { go } from "../nav.js";
import { pendingMutations } from "../outbox.js";
import { refreshReference } from "../reference.js";
import { signIn } from "../session.js";
import { syncNow } from "../sync.js";
import { esc } from "../ui.js";

/** Render the sign-in form. */
export async function render(root) {
  const [user, expired, pending, refusal] = await Promise.all([getMeta("user"), getMeta("auth_expired"),
    pendingMutations(), getMeta("auth_refusal")]);
  const again = Boolean(user && expired);
  root.innerHTML = `<section class="card">
    <h1>${again ? "Opnieuw aanmelden" : "Aanmelden"}</h1>
    ${again ? `<p class="notice notice-error" id="login-reason">${refusal ? esc(refusal)
      : "Uw aanmelding op deze telefoon is verlopen of ingetrokken."}
      ${pending.length ? `De ${pending.length} items in de uitbox blijven bewaard ${refusal
    ? "op deze telefoon; een collega kan hier aanmelden en ze onder eigen naam verzenden."
    : "en worden verzonden zodra u bent aangemeld."}` : ""}</p>` : ""}
    <form id="login-form" novalidate>
      <label for="email">E-mailadres</label>
      <input id="email" name="email" type="email" autocomplete="username" required value="${esc(user ? user.email : "")}">
      <label for="password">Wachtwoord</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <label for="device_name">Naam van dit apparaat</label>
      <input id="device_name" name="device_name" maxlength="200" value="Telefoon Muurtje">
      <p id="login-error" class="form-error" role="alert" hidden></p>
      <button type="submit" class="primary">Aanmelden</button>
    </form>
    <p class="hint">Eén keer aanmelden is genoeg: de app blijft daarna ook zonder bereik werken.</p></section>`;
  const form = root.querySelector("#login-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = root.querySelector("#login-error");
    error.hidden = true;
    if (!navigator.onLine) {
      error.textContent = "Aanmelden kan alleen met verbinding.";
      error.hidden = false;
      return;
    }
    let result;
    try {
      result = await signIn(form.email.value.trim(), form.password.value, form.device_name.value.trim());
    } catch (e) {
      result = { ok: false, message: "De server is niet bereikbaar. Probeer het zo opnieuw." };
    }
    if (!result.ok) {
      error.textContent = result.message;
      error.hidden = false;
      return;
    }
    if (result.user.must_change_password) {
      go("#/wachtwoord");
      return;
    }
    await refreshReference();
    syncNow();
    go(await screenAfterSignIn());
  });
  return null;
}
