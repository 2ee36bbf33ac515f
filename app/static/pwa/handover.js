// Items in the outbox typed by someone else who used this phone (e.g. a colleague who left and was
// deactivated). They are never dropped; the person signed in now may send them under their own name,
// after the server has noted who typed them (admin audit log, action sync.handover).
import { api, problemText } from "./api.js";
import { done, getMeta, transaction } from "./db.js";
import { emit } from "./events.js";
import { pendingMutations } from "./outbox.js";

/** Return [{id, name, count, mutations}] per earlier user with items waiting on this phone. */
export async function foreignPending() {
  const [user, known, pending] = await Promise.all([getMeta("user"), getMeta("known_users"), pendingMutations()]);
  if (!user) return [];
  const byAuthor = new Map();
  for (const m of pending) {
    if (!m.user_id || m.user_id === user.id) continue;
    if (!byAuthor.has(m.user_id)) {
      const who = (known || {})[m.user_id];
      byAuthor.set(m.user_id, { id: m.user_id, name: who ? who.name : "een eerdere gebruiker", mutations: [] });
    }
    byAuthor.get(m.user_id).mutations.push(m);
  }
  return [...byAuthor.values()].map((a) => ({ ...a, count: a.mutations.length }));
}

/** Where to go after signing in: the hand-over screen when someone else's items wait, else start. */
export async function screenAfterSignIn() {
  return (await foreignPending()).length ? "#/overdragen" : "#/";
}

/** Send the items of `authorId` under the signed-in user's name; returns {ok, message}. */
export async function handOver(authorId) {
  const author = (await foreignPending()).find((a) => a.id === authorId);
  if (!author) return { ok: true };
  const records = [...new Map(author.mutations.map((m) => [`${m.entity}:${m.id}`, { entity: m.entity, id: m.id }]))
    .values()];
  const result = await api("/api/v1/sync/handover", { method: "POST", body: { from_user: authorId, records } });
  if (!result.ok) return { ok: false, message: problemText(result) };
  const user = await getMeta("user");
  await transaction(["outbox"], "readwrite", async ({ outbox }) => {
    for (const m of author.mutations) {
      await done(outbox.put({ ...m, user_id: user.id, handed_over_from: authorId }));
    }
  });
  emit("records");
  return { ok: true };
}
