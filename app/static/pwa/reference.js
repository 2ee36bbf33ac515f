// Reference data kept for offline use: buurt boundaries and themes, stored in IndexedDB `meta`.
import { api } from "./api.js";
import { getMeta, setMeta } from "./db.js";
import { indexBuurten } from "./geo.js";

export const BUURTEN_URL = "/api/v1/buurten?simplify=10";
let buurtIndex = null;

const REFRESH_MS = 24 * 60 * 60 * 1000;

/**
 * Fetch buurten and themes when online; keep the last good copy for offline use.
 *
 * Returns whether both are stored. Without `force` it only fetches what is missing or a day old,
 * so every sync can call it and a failed first load is retried.
 */
export async function refreshReference({ force = true } = {}) {
  const fresh = (await getMeta("reference_at")) || 0;
  const missing = !(await getMeta("buurten")) || !(await getMeta("themes"));
  if (!force && !missing && Date.now() - fresh < REFRESH_MS) return true;
  try {
    const buurten = await api(BUURTEN_URL);
    if (buurten.ok && buurten.data) {
      await setMeta("buurten", buurten.data);
      buurtIndex = null;
    }
    const themes = await api("/api/v1/themes");
    if (themes.ok && Array.isArray(themes.data)) await setMeta("themes", themes.data);
    if (buurten.ok && themes.ok) {
      await setMeta("reference_at", Date.now());
      return true;
    }
  } catch (error) {
    // offline: the stored copies serve
  }
  return false;
}

/** The cached buurten FeatureCollection (or null before the first online start). */
export function buurtenCollection() {
  return getMeta("buurten");
}

/** The point-in-polygon index over the cached buurten. */
export async function buurtenIndex() {
  if (!buurtIndex) buurtIndex = indexBuurten(await buurtenCollection());
  return buurtIndex;
}

/** Buurten as [{code, name}] sorted by name, for the manual choice without a location. */
export async function buurtChoices() {
  const collection = await buurtenCollection();
  return (collection?.features || [])
    .map((f) => ({ code: f.properties.buurt_code, name: f.properties.buurt_name, wijk: f.properties.wijk_name }))
    .sort((a, b) => a.name.localeCompare(b.name, "nl"));
}

/** The name of a buurt code, when known. */
export async function buurtName(code) {
  if (!code) return null;
  const collection = await buurtenCollection();
  const feature = (collection?.features || []).find((f) => f.properties.buurt_code === code);
  return feature ? feature.properties.buurt_name : code;
}

/** The cached themes [{code, label, domain}]. */
export async function themes() {
  return (await getMeta("themes")) || [];
}
