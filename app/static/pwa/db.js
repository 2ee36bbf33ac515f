// IndexedDB: `records` (server copies + conflict/rejection notes), `outbox` (mutations not yet
// accepted), `meta` (token, user, client id, cursor, cached buurten and themes), `photos` (blobs).
// Nothing here is ever stored in the service-worker cache, so an app update cannot lose it.

const DB_NAME = "muurtje";
const DB_VERSION = 1;
let opening = null;

/** Open (and on first use create) the database. */
export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("records")) db.createObjectStore("records", { keyPath: "key" });
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "mutation_id" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
        if (!db.objectStoreNames.contains("photos")) db.createObjectStore("photos", { keyPath: "sha" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

/** Turn an IDBRequest into a promise. */
export function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Run `work(stores)` in one transaction; resolves with its result once the transaction commits. */
export async function transaction(names, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transactie afgebroken"));
    Promise.resolve()
      .then(() => work(stores))
      .then((value) => { result = value; })
      .catch((error) => { try { tx.abort(); } catch (e) { /* already finished */ } reject(error); });
  });
}

export const get = (store, key) => transaction([store], "readonly", (s) => done(s[store].get(key)));
export const getAll = (store) => transaction([store], "readonly", (s) => done(s[store].getAll()));
export const put = (store, value) => transaction([store], "readwrite", (s) => done(s[store].put(value)));
export const remove = (store, key) => transaction([store], "readwrite", (s) => done(s[store].delete(key)));
export const clear = (store) => transaction([store], "readwrite", (s) => done(s[store].clear()));

/** Read one value from `meta`. */
export async function getMeta(key, fallback = null) {
  const row = await get("meta", key);
  return row === undefined ? fallback : row.value;
}

/** Write one value to `meta`. */
export function setMeta(key, value) {
  return put("meta", { key, value });
}

/** The key of a record in the `records` store. */
export function recordKey(entity, id) {
  return `${entity}:${id}`;
}
