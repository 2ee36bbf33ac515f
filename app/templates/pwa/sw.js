// Muurtje service worker {{ version }}: the app shell from a versioned cache, buurt boundaries from a
// data cache. Records and the outbox live in IndexedDB, which a new version never touches.
const VERSION = {{ version|tojson }};
const SHELL_CACHE = `muurtje-shell-${VERSION}`;
const DATA_CACHE = "muurtje-data-v1";
const SHELL_FILES = {{ shell_files|tojson }};
// Static URLs carry `?v=<hash>`; the modules they import ask for the bare path: match on the path.
const SHELL_PATHS = new Set(SHELL_FILES.map((url) => new URL(url, self.location.origin).pathname));
const BUURTEN_PATH = "/api/v1/buurten";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // Filled from what the page already fetched, without storing an old module: a URL with its
    // content hash (`?v=`) is taken from the HTTP cache as is; any other URL is revalidated with the
    // server (`no-cache`: a 304 of a few hundred bytes when the page has the current file).
    await cache.addAll(SHELL_FILES.map((url) => new Request(url, { cache: url.includes("?v=") ? "default" : "no-cache" })));
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("muurtje-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/app/")) {
    event.respondWith(shellPage(request));
  } else if (url.pathname === BUURTEN_PATH) {
    event.respondWith(buurten(request));
  } else if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(fromShellCache(request));
  }
});

async function shellPage(request) {
  // Network first so an online start always sees the newest page; the cached shell when offline.
  try {
    const response = await fetch(request);
    if (response.ok) return response;
  } catch (error) {
    // offline: fall through to the cached shell
  }
  const cached = await caches.match("/app/", { cacheName: SHELL_CACHE });
  return cached || Response.error();
}

async function fromShellCache(request) {
  const cached = await caches.match(request, { cacheName: SHELL_CACHE, ignoreSearch: true });
  return cached || fetch(request);
}

async function buurten(request) {
  // Boundaries change rarely: answer from the cache at once and refresh it in the background.
  const cache = await caches.open(DATA_CACHE);
  const cached = await cache.match(request.url);
  const refresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request.url, response.clone());
    return response;
  });
  if (cached) {
    refresh.catch(() => {});
    return cached;
  }
  return refresh;
}
