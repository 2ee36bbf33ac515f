// Navigation between screens (hash routes, so the service worker serves one shell page).

/** Go to a screen; re-render when it is the screen already shown. */
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}
