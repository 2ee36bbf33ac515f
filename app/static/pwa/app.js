// The field app: routes between screens, registers the service worker and starts syncing.
import { getMeta } from "./db.js";
import { on } from "./events.js";
import { refreshReference } from "./reference.js";
import * as application from "./screens/application.js";
import * as conversation from "./screens/conversation.js";
import * as gathering from "./screens/gathering.js";
import * as handover from "./screens/handover.js";
import * as home from "./screens/home.js";
import * as idea from "./screens/idea.js";
import * as login from "./screens/login.js";
import * as nearby from "./screens/nearby.js";
import * as outbox from "./screens/outbox.js";
import * as password from "./screens/password.js";
import * as recent from "./screens/recent.js";
import * as signal from "./screens/signal.js";
import { startStatusLine } from "./status.js";
import { startSync } from "./sync.js";

const ID = "([0-9a-fA-F-]{36})";
const ROUTES = [
  [/^\/login$/, login, "Aanmelden"],
  [/^\/?$/, home, "Start"],
  [/^\/gesprek\/nieuw$/, conversation, "Nieuw gesprek"],
  [new RegExp(`^/gesprek/${ID}$`), conversation, "Gesprek"],
  [/^\/signaal\/nieuw$/, signal, "Nieuw signaal"],
  [new RegExp(`^/signaal/${ID}$`), signal, "Signaal"],
  [/^\/idee\/nieuw$/, idea, "Nieuw idee"],
  [new RegExp(`^/idee/${ID}$`), idea, "Idee"],
  [new RegExp(`^/idee/${ID}/aanvraag$`), application, "Aanvraag buurtbudget"],
  [/^\/bijeenkomst\/nieuw$/, gathering, "Bijeenkomst starten"],
  [new RegExp(`^/bijeenkomst/${ID}$`), gathering, "Bijeenkomst"],
  [/^\/mijn$/, recent, "Mijn registraties"],
  [/^\/buurt$/, nearby, "In deze buurt"],
  [/^\/uitbox$/, outbox, "Uitbox"],
  [/^\/wachtwoord$/, password, "Kies je eigen wachtwoord"],
  [/^\/overdragen$/, handover, "Items van een eerdere gebruiker"],
];

const view = document.getElementById("view");
let cleanup = null;
let rendering = 0;

async function route() {
  const ticket = ++rendering;
  delete view.dataset.screen; // set again once the screen is drawn and wired (tests wait for it)
  const [path, queryString] = (location.hash.slice(1) || "/").split("?");
  const user = await getMeta("user");
  if (!user && path !== "/login") {
    location.replace("#/login");
    return;
  }
  if (user) ensureServiceWorker();
  if (user && user.must_change_password && path !== "/wachtwoord" && path !== "/login") {
    location.replace("#/wachtwoord");
    return;
  }
  const match = ROUTES.map(([pattern, screen, title]) => [path.match(pattern), screen, title]).find(([m]) => m);
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  if (!match) {
    view.innerHTML = `<h1>Niet gevonden</h1><p><a href="#/">Naar start</a></p>`;
    return;
  }
  const [m, screen, title] = match;
  document.title = `${title} – Muurtje`;
  // Each screen renders into its own element: a screen that is still finishing work after the
  // worker moved on (a draw after sign-in, a sync answer) then writes into a detached element
  // instead of failing on the next screen's DOM.
  const screenRoot = document.createElement("div");
  screenRoot.className = "screen";
  view.replaceChildren(screenRoot);
  const result = await screen.render(screenRoot, { id: m[1] || null, query: new URLSearchParams(queryString || "") });
  if (ticket !== rendering) {
    if (typeof result === "function") result();
    return;
  }
  cleanup = result;
  view.dataset.screen = screen === login ? "login" : title;
  view.focus({ preventScroll: false });
  window.scrollTo(0, 0);
}

// The service worker is installed once someone has signed in: before that the app cannot work offline
// anyway, and the sign-in screen stays small. Its precache then comes from the HTTP cache (sw.js).
let serviceWorker = null;
function ensureServiceWorker() {
  serviceWorker = serviceWorker || registerServiceWorker().catch(() => {});
  return serviceWorker;
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  // Only a page that an older worker already controls has something to update; the very first
  // install takes over quietly (clients.claim).
  const hadController = Boolean(navigator.serviceWorker.controller);
  const registration = await navigator.serviceWorker.register("/app/sw.js", { scope: "/app/", updateViaCache: "none" });
  const banner = document.getElementById("update-banner");
  const offerUpdate = (worker) => {
    banner.hidden = false;
    document.getElementById("update-button").onclick = () => worker.postMessage("skip-waiting");
  };
  if (registration.waiting && hadController) offerUpdate(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && hadController) offerUpdate(worker);
    });
  });
  // The outbox is in IndexedDB, so reloading into the new version loses nothing.
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !banner.dataset.accepted) return;
    reloading = true;
    location.reload();
  });
  document.getElementById("update-button").addEventListener("click", () => { banner.dataset.accepted = "1"; });
  on("needs-update", () => registration.update().catch(() => {}));
}

window.addEventListener("hashchange", route);
startStatusLine(document.getElementById("status"));
route();
getMeta("token").then((token) => {
  if (token) refreshReference();
  startSync();
});
