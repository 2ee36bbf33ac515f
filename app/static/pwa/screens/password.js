// Screen: "Kies je eigen wachtwoord" — after signing in with a password an admin generated.
import { api, problemText } from "../api.js";
import { getMeta, setMeta } from "../db.js";
import { screenAfterSignIn } from "../handover.js";
import { go } from "../nav.js";
import { refreshReference } from "../reference.js";
import { syncNow } from "../sync.js";

const MIN_LENGTH = 12;

/** Render the form; on success continue where a normal sign-in would. */
export async function render(root) {
  root.innerHTML = `<section class="card">
    <h1>Kies je eigen wachtwoord</h1>
    <p>Je bent aangemeld met een wachtwoord dat een beheerder voor je maakte. Kies nu een eigen wachtwoord.</p>
    <form id="password-form" novalidate>
      <label for="current_password">Wachtwoord van de beheerder</label>
      <input id="current_password" name="current_password" type="password" autocomplete="current-password" required>
      <label for="new_password">Nieuw wachtwoord</label>
      <input id="new_password" name="new_password" type="password" autocomplete="new-password" required
        minlength="${MIN_LENGTH}" aria-describedby="pw-hint">
      <p id="pw-hint" class="hint">Minstens ${MIN_LENGTH} tekens. Een zin van een paar woorden is goed te onthouden.</p>
      <label for="repeat_password">Nieuw wachtwoord nog eens</label>
      <input id="repeat_password" name="repeat_password" type="password" autocomplete="new-password" required>
      <p id="password-error" class="form-error" role="alert" hidden></p>
      <button type="submit" class="primary">Wachtwoord opslaan</button>
    </form></section>`;
  const form = root.querySelector("#password-form");
  const error = root.querySelector("#password-error");
  const fail = (message) => {
    error.textContent = message;
    error.hidden = false;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (form.new_password.value.length < MIN_LENGTH) return fail(`Kies een wachtwoord van minstens ${MIN_LENGTH} tekens.`);
    if (form.new_password.value !== form.repeat_password.value) return fail("De twee nieuwe wachtwoorden zijn niet gelijk.");
    if (!navigator.onLine) return fail("Een wachtwoord kiezen kan alleen met verbinding.");
    let result;
    try {
      result = await api("/api/v1/auth/password", { method: "POST",
        body: { current_password: form.current_password.value, new_password: form.new_password.value } });
    } catch (e) {
      return fail("De server is niet bereikbaar. Probeer het zo opnieuw.");
    }
    if (!result.ok) {
      const errors = (result.data && result.data.errors) || {};
      return fail(Object.values(errors).flat().join(" ") || problemText(result));
    }
    await setMeta("user", { ...(await getMeta("user")), must_change_password: false });
    await refreshReference();
    syncNow();
    go(await screenAfterSignIn());
    return undefined;
  });
  return null;
}
