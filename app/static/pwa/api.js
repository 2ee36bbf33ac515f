// API calls with the device token (Authorization: Bearer). Cookies are never sent, so a revoked
// token really answers 401 and no CSRF token is needed.
import { getMeta } from "./db.js";

/** A failure to reach the server at all (offline, DNS, connection reset). */
export class NetworkError extends Error {}

/** Call the API; resolves with {status, ok, data} for every HTTP answer, rejects with NetworkError. */
export async function api(path, { method = "GET", body, contentType, token } = {}) {
  const bearer = token === undefined ? (await getMeta("token"))?.token : token;
  const headers = { Accept: "application/json" };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const init = { method, headers, credentials: "omit", cache: "no-store" };
  if (body instanceof Blob) {
    headers["Content-Type"] = contentType || body.type || "application/octet-stream";
    init.body = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new NetworkError(error.message);
  }
  const type = response.headers.get("Content-Type") || "";
  let data = null;
  if (type.includes("json")) data = await response.json().catch(() => null);
  return { status: response.status, ok: response.ok, data };
}

/** The Dutch explanation in a problem+json answer. */
export function problemText(result) {
  return (result.data && (result.data.detail || result.data.title)) || `Fout ${result.status}`;
}
