// The sync client: push the outbox in order (photos first), then pull the change feed.
// Runs on start, when the phone comes online, after a save and periodically, backing off with
// jitter while the server cannot be reached. Nothing leaves the outbox without a result for it.
import { api, NetworkError, problemText } from "./api.js";
import { done, getMeta, recordKey, setMeta, transaction } from "./db.js";
import { emit } from "./events.js";
import { clientId, pendingMutations } from "./outbox.js";
import { uploadPhotos } from "./photos.js";
import { refreshReference } from "./reference.js";
import { DEACTIVATED } from "./session.js";

export const SCHEMA_VERSION = 1;
const MAX_BATCH = 500;
const PULL_LIMIT = 500;
const PERIOD_MS = 5 * 60 * 1000;
const BACKOFF_BASE_MS = 5000;
const BACKOFF_MAX_MS = 15 * 60 * 1000;

const state = { running: null, followUp: null, failures: 0, timer: null, lastError: null };

class SyncStop extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/** The current sync state for the status line. */
export function syncState() {
  return { running: Boolean(state.running), failures: state.failures, lastError: state.lastError };
}

/**
 * Sync now. While a sync is running, one more follows it: the running one may already have read the
 * outbox, and what was just saved (or handed over) must not wait for the next period.
 */
export function syncNow() {
  if (state.running) {
    if (!state.followUp) {
      state.followUp = state.running.catch(() => null).then(() => {
        state.followUp = null;
        return syncNow();
      });
    }
    return state.followUp;
  }
  state.running = runSync().finally(() => {
    state.running = null;
    emit("sync");
  });
  emit("sync");
  return state.running;
}

/** Plan the next sync: the normal period after success, exponential backoff with jitter after failure. */
function schedule() {
  clearTimeout(state.timer);
  const delay = state.failures === 0
    ? PERIOD_MS
    : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (state.failures - 1)) * (0.5 + Math.random());
  state.timer = setTimeout(syncNow, delay);
}

/** Start syncing: now, on reconnect, when the app becomes visible and periodically. */
export function startSync() {
  window.addEventListener("online", () => { state.failures = 0; syncNow(); });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") syncNow(); });
  syncNow();
}

async function runSync() {
  const token = await getMeta("token");
  if (!token || (await getMeta("auth_expired"))) return;
  if ((await getMeta("user") || {}).must_change_password) return; // first "Kies je eigen wachtwoord"
  if (!navigator.onLine) {
    schedule();
    return;
  }
  try {
    await push();
    await pull();
    if (!(await refreshReference({ force: false }))) throw new SyncStop("retry", "Buurten en thema's nog niet geladen.");
    await setMeta("last_sync", new Date().toISOString());
    await setMeta("needs_update", false);
    state.failures = 0;
    state.lastError = null;
  } catch (error) {
    if (error instanceof SyncStop && error.kind === "auth") {
      await setMeta("auth_expired", true);
      await setMeta("auth_refusal", error.refusal || null); // e.g. the account was deactivated
    } else if (error instanceof SyncStop && error.kind === "upgrade") {
      await setMeta("needs_update", true);
      emit("needs-update");
    } else if (error instanceof NetworkError || error instanceof SyncStop) {
      state.failures += 1;
    } else {
      throw error;
    }
    state.lastError = error.message;
  } finally {
    schedule();
  }
}

function stopFor(result) {
  if (result.status === 401) {
    const stop = new SyncStop("auth", "Opnieuw aanmelden nodig.");
    if (result.data && result.data.type === DEACTIVATED) stop.refusal = problemText(result);
    return stop;
  }
  if (result.status === 409) return new SyncStop("upgrade", "De app moet worden bijgewerkt.");
  return new SyncStop("retry", problemText(result));
}

function wireMutation(m) {
  const { mutation_id, entity, op, id, base_version, fields, client_time } = m;
  return op === "delete"
    ? { mutation_id, entity, op, id, base_version, client_time }
    : { mutation_id, entity, op, id, base_version, fields, client_time };
}

async function push() {
  const user = await getMeta("user");
  const client = await clientId();
  let limit = MAX_BATCH;
  for (;;) {
    const mine = (await pendingMutations()).filter((m) => !m.user_id || m.user_id === user.id);
    if (mine.length === 0) return;
    const batch = mine.slice(0, limit);
    try {
      await uploadPhotos(batch.flatMap((m) => (m.fields && m.fields.photos) || []));
    } catch (error) {
      if (error.status === 401) throw new SyncStop("auth", "Opnieuw aanmelden nodig.");
      throw error;
    }
    const result = await api("/api/v1/sync/push", {
      method: "POST",
      body: { client_id: client, schema_version: SCHEMA_VERSION, mutations: batch.map(wireMutation) },
    });
    if (result.status === 413) {
      if (batch.length === 1) {
        await applyResults(batch, [{ mutation_id: batch[0].mutation_id, status: "rejected",
          errors: { _schema: [problemText(result)] } }]);
      } else {
        limit = Math.ceil(batch.length / 2);
      }
      continue;
    }
    if (!result.ok) throw stopFor(result);
    await applyResults(batch, result.data.results || []);
    if (!(result.data.results || []).length) throw new SyncStop("retry", "De server gaf geen resultaten.");
  }
}

/** Take the push results into the records and drop answered mutations from the outbox, in one transaction. */
async function applyResults(batch, results) {
  const byId = new Map(batch.map((m) => [m.mutation_id, m]));
  await transaction(["records", "outbox"], "readwrite", async (s) => {
    const touched = new Map();
    for (const result of results) {
      const m = byId.get(result.mutation_id);
      if (!m) continue;
      const key = recordKey(m.entity, m.id);
      const record = touched.get(key) || (await done(s.records.get(key)));
      await done(s.outbox.delete(m.mutation_id));
      if (!record) continue;
      touched.set(key, record);
      const fields = { ...(m.fields || {}) };
      delete fields.resident_contact;
      if (result.status === "applied" || result.status === "duplicate" || result.status === "conflict") {
        record.version = Math.max(record.version || 0, result.version || 0);
        record.server = { ...(record.server || { id: m.id }), ...fields, version: record.version };
        if (m.op === "delete") record.server.deleted = true;
        if (result.status === "conflict") {
          record.conflicts = result.conflicts || [];
          record.server.has_conflict = true;
        }
      } else if (result.status === "rejected") {
        record.rejected = {
          // Keep everything that was typed, the contact details too, so the worker can correct it.
          fields: { ...((record.rejected && record.rejected.fields) || {}), ...(m.fields || {}) },
          errors: result.errors || {}, mutation_id: m.mutation_id, at: new Date().toISOString(),
        };
      }
    }
    const left = await done(s.outbox.getAll());
    for (const record of touched.values()) {
      const pending = left.filter((m) => m.entity === record.entity && m.id === record.id).length;
      record.expected_version = (record.version || 0) + pending;
      await done(s.records.put(record));
    }
  });
  emit("records");
}

async function pull() {
  const user = await getMeta("user");
  for (;;) {
    const cursor = await getMeta("pull_cursor");
    const query = new URLSearchParams({ limit: String(PULL_LIMIT) });
    if (cursor) query.set("cursor", cursor);
    const result = await api(`/api/v1/sync/pull?${query}`);
    if (!result.ok) throw stopFor(result);
    await applyChanges(result.data, user);
    if (!result.data.has_more) return;
  }
}

/** Store one page of the change feed and its cursor together; `reset` drops server copies, never the outbox. */
async function applyChanges(page, user) {
  await transaction(["records", "outbox", "meta"], "readwrite", async (s) => {
    const pending = await done(s.outbox.getAll());
    const hasPending = (entity, id) => pending.some((m) => m.entity === entity && m.id === id);
    if (page.reset) {
      for (const record of await done(s.records.getAll())) {
        if (hasPending(record.entity, record.id) || record.rejected) {
          await done(s.records.put({ ...record, server: null }));
        } else {
          await done(s.records.delete(record.key));
        }
      }
    }
    for (const change of page.changes || []) {
      const key = recordKey(change.entity, change.id);
      const record = (await done(s.records.get(key))) || {
        key, entity: change.entity, id: change.id, server: null, version: 0, expected_version: 0,
        conflicts: [], rejected: null, touched_at: 0,
      };
      if ((change.version || 0) < (record.version || 0) && record.server) continue;
      record.server = { ...(change.record || { id: change.id }), deleted: Boolean(change.deleted) };
      record.version = change.version;
      record.mine = Boolean(user && change.record && change.record.created_by === user.id) || record.mine === true;
      if (change.record && !change.record.has_conflict) record.conflicts = [];
      const count = pending.filter((m) => m.entity === change.entity && m.id === change.id).length;
      record.expected_version = record.version + count;
      await done(s.records.put(record));
    }
    await done(s.meta.put({ key: "pull_cursor", value: page.cursor }));
  });
  emit("records");
}

/** Mark a conflict as seen and settled on the server (online only). */
export async function resolveConflict(entity, id) {
  const key = recordKey(entity, id);
  const result = await api(`/api/v1/${entity}s/${id}/resolve`, { method: "POST", body: {} });
  if (!result.ok) return result;
  await transaction(["records"], "readwrite", async (s) => {
    const record = await done(s.records.get(key));
    if (!record) return;
    record.conflicts = [];
    const server = result.data && result.data.id ? result.data : { ...(record.server || {}) };
    record.server = { ...(record.server || {}), ...server, has_conflict: false };
    record.version = Math.max(record.version || 0, record.server.version || 0);
    await done(s.records.put(record));
  });
  emit("records");
  return result;
}

let soon = null;

/** Sync shortly after a save (several quick saves go out together). */
export function requestSync() {
  clearTimeout(soon);
  soon = setTimeout(() => { if (navigator.onLine) syncNow(); }, 400);
}
