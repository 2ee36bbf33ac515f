// Leaflet (about 45 KB compressed) is loaded only when a screen shows a map, not with the app shell.
// Offline it comes from the service worker's precache like every other shell file.
const config = JSON.parse(document.getElementById("muurtje-config").textContent);
let loading = null;

function load(tag, attributes) {
  return new Promise((resolve, reject) => {
    const element = Object.assign(document.createElement(tag), attributes);
    element.addEventListener("load", resolve, { once: true });
    element.addEventListener("error", reject, { once: true });
    // Leaflet's CSS goes before the app's own, so that app.css still overrides it.
    const first = document.head.querySelector('link[rel="stylesheet"]');
    if (tag === "link" && first) first.before(element);
    else document.head.append(element);
  });
}

/** Load Leaflet's CSS and script once; resolves true when `window.L` is ready, false if it could not load. */
export function loadLeaflet() {
  if (window.L) return Promise.resolve(true);
  loading = loading || Promise.all([
    load("link", { rel: "stylesheet", href: config.leaflet.css }),
    load("script", { src: config.leaflet.js }),
  ]).then(() => Boolean(window.L), () => {
    loading = null; // try again next time a map is shown
    return false;
  });
  return loading;
}
