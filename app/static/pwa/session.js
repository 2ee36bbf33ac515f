// Signing in with a device token and signing out; the outbox is never dropped by either.
import { api, problemText } from "./api.js";
import { done, getMeta, setMeta, transaction } from "./db.js";
import { emit } from "./events.js";

/** The problem type of a deactivated account (401 on any request, 403 at sign-in). */
export const DEACTIVATED = "urn:muurtje:problem:account-deactivated";

/** Sign in and keep the device token in IndexedDB; returns {ok, message}. */
export async function signIn(email, password, deviceName) {
  const result = await api("/api/v1/auth/login", {
    method: "POST", token: null, body: { email, password, token: true, device_name: deviceName },
  });
  if (!result.ok) {
    // 403 with type DEACTIVATED: the account was deactivated; the detail says whom to ask.
    const message = result.status === 401 ? "E-mailadres of wachtwoord klopt niet."
      : result.status === 429 ? "Te veel pogingen. Wacht even en probeer het opnieuw." : problemText(result);
    return { ok: false, message };
  }
  const { token, csrf_token: _csrf, ...user } = result.data;
  const previous = await getMeta("user");
  if (previous && previous.id !== user.id) {
    await dropServerCopies();
    // Remember who used this phone before, so their waiting items can be handed over by name.
    await setMeta("known_users", { ...((await getMeta("known_users")) || {}),
      [previous.id]: { name: previous.name, email: previous.email } });
  }
  await setMeta("token", token);
  await setMeta("user", user);
  await setMeta("auth_expired", false);
  await setMeta("auth_refusal", null);
  emit("records");
  return { ok: true, user };
}

/** Forget the copies of server records (and the pull cursor); keep the outbox and rejected work. */
async function dropServerCopies() {
  await transaction(["records", "outbox", "meta"], "readwrite", async (s) => {
    const pending = await done(s.outbox.getAll());
    for (const record of await done(s.records.getAll())) {
      const keep = record.rejected || pending.some((m) => m.entity === record.entity && m.id === record.id);
      if (keep) await done(s.records.put({ ...record, server: null }));
      else await done(s.records.delete(record.key));
    }
    await done(s.meta.delete("pull_cursor"));
  });
}

/** Sign out: revoke this device's token on the server when reachable and forget local copies. */
export async function signOut() {
  try {
    await api("/api/v1/auth/logout", { method: "POST" });
  } catch (error) {
    // offline: the token expires by itself and an admin can revoke it
  }
  await dropServerCopies();
  await setMeta("token", null);
  await setMeta("user", null);
  emit("records");
}
