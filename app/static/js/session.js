// Shared helpers for the team, manager and admin pages: JSON API calls with the CSRF token.

let csrfToken = null;

/** Return this session's CSRF token, fetching /api/v1/me once. */
export async function csrf() {
  if (!csrfToken) {
    const response = await fetch("/api/v1/me", { credentials: "same-origin" });
    if (response.ok) csrfToken = (await response.json()).csrf_token;
  }
  return csrfToken;
}

/** Remember the CSRF token returned by a sign-in. */
export function setCsrf(token) {
  csrfToken = token;
}

/** Call the JSON API; throws an Error carrying the problem+json body on failure. */
export async function apiFetch(url, { method = "GET", body, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET") init.headers["X-CSRF-Token"] = await csrf();
  const response = await fetch(url, init);
  const isJson = (response.headers.get("Content-Type") || "").includes("json");
  const data = isJson ? await response.json() : null;
  if (!response.ok) {
    const error = new Error((data && (data.detail || data.title)) || `Fout ${response.status}`);
    error.status = response.status;
    error.problem = data;
    throw error;
  }
  return data;
}

for (const button of document.querySelectorAll("[data-logout]")) {
  button.addEventListener("click", async () => {
    await apiFetch("/api/v1/auth/logout", { method: "POST" }).catch(() => {});
    window.location.href = "/login";
  });
}
