// The outbox: every save becomes a mutation in IndexedDB first and shows at once in the local copy.
// A record's view is its last server copy with every pending (and rejected) mutation laid over it.
import { done, getAll, getMeta, recordKey, transaction } from "./db.js";
import { emit } from "./events.js";

/** Return this installation's client id, creating it once. */
export async function clientId() {
  return transaction(["meta"], "readwrite", async ({ meta }) => {
    const row = await done(meta.get("client_id"));
    if (row) return row.value;
    const value = crypto.randomUUID();
    await done(meta.put({ key: "client_id", value }));
    return value;
  });
}

/** An ISO 8601 time with the phone's UTC offset, as the API expects. */
export function isoNow(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:`
    + `${pad(date.getMinutes())}:${pad(date.getSeconds())}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

function emptyRecord(entity, id) {
  return { key: recordKey(entity, id), entity, id, server: null, version: 0, expected_version: 0,
    conflicts: [], rejected: null, mine: true, touched_at: Date.now() };
}

/**
 * Queue an upsert of `fields` on a record and apply it to the local copy.
 *
 * base_version is the version this edit was made on: the server copy plus the pending mutations
 * before it (null for a record the server has never accepted).
 */
export async function saveRecord(entity, id, fields) {
  const user = await getMeta("user");
  const mutation = await transaction(["records", "outbox", "meta"], "readwrite", async (s) => {
    const counter = await done(s.meta.get("next_mutation_id"));
    const mutationId = counter ? counter.value : 1;
    await done(s.meta.put({ key: "next_mutation_id", value: mutationId + 1 }));
    const record = (await done(s.records.get(recordKey(entity, id)))) || emptyRecord(entity, id);
    const m = {
      mutation_id: mutationId, entity, op: "upsert", id,
      base_version: record.expected_version > 0 ? record.expected_version : null,
      fields, client_time: isoNow(), user_id: user ? user.id : null,
    };
    record.expected_version = (record.expected_version || 0) + 1;
    record.rejected = null; // a fix is a new mutation; the old one stays in the server's quarantine
    record.touched_at = Date.now();
    record.mine = true;
    await done(s.outbox.put(m));
    await done(s.records.put(record));
    return m;
  });
  emit("records");
  return mutation;
}

/** All pending mutations, oldest first. */
export async function pendingMutations() {
  const all = await getAll("outbox");
  return all.sort((a, b) => a.mutation_id - b.mutation_id);
}

/** Lay pending and rejected fields over the server copy: what the worker sees. */
export function viewOf(record, pending) {
  const view = { ...(record.server || { id: record.id }) };
  if (record.rejected) Object.assign(view, record.rejected.fields);
  for (const m of pending) {
    if (m.entity === record.entity && m.id === record.id) Object.assign(view, m.fields);
  }
  delete view.resident_contact; // write-only: never shown back
  return view;
}

/** Every record with its view and sync state, newest first. */
export async function loadRecords() {
  const [records, pending] = await Promise.all([getAll("records"), pendingMutations()]);
  const byKey = new Map();
  for (const m of pending) {
    const key = recordKey(m.entity, m.id);
    byKey.set(key, (byKey.get(key) || 0) + 1);
  }
  return records
    .map((record) => ({
      ...record,
      view: viewOf(record, pending),
      pending: byKey.get(record.key) || 0,
    }))
    .filter((r) => !r.view.deleted)
    .sort((a, b) => sortTime(b) - sortTime(a));
}

function sortTime(r) {
  const t = Date.parse(r.view.occurred_at || r.view.created_at || "");
  return Number.isNaN(t) ? r.touched_at || 0 : Math.max(t, r.pending ? r.touched_at : 0);
}

/** One record with its view and sync state, or null. */
export async function loadRecord(entity, id) {
  const all = await loadRecords();
  return all.find((r) => r.entity === entity && r.id === id) || null;
}
