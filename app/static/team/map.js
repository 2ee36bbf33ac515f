// The signal map: server-side clusters, buurt outlines, filters, the list in view and the choropleth.
import { VOCABULARY } from "/vocabulary.js";
import { apiFetch } from "../js/session.js";

const L = window.L;
const OPEN = VOCABULARY.open_signal_statuses;
const STATUS_LABELS = VOCABULARY.status.signal;
const CHOROPLETH = ["#f7f4f9", "#d4b9da", "#c994c7", "#df65b0", "#ce1256", "#67001f"];

const form = document.getElementById("filters");
const mapEl = document.getElementById("map");
const listEl = document.getElementById("signal-list");
const statusEl = document.getElementById("map-status");
const choroplethToggle = document.getElementById("choropleth-toggle");
const legend = document.getElementById("legend");

const map = L.map(mapEl, { center: [52.993, 6.56], zoom: 13, keyboard: true });
export { map }; // for the other layers (team/ideas-layer.js)
L.tileLayer(mapEl.dataset.tileUrl, { attribution: mapEl.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
const markers = L.layerGroup().addTo(map);
let buurtLayer = null;
let buurtCounts = new Map();
const buurtNames = new Map();
let moveTimer = null;
let mapRequest = null;
let listRequest = null;
let listNext = null;

/** Return the filters as URLSearchParams (without bbox/zoom). */
function filterParams() {
  const params = new URLSearchParams();
  const data = new FormData(form);
  const statuses = data.getAll("status");
  if (statuses.length) params.set("status", statuses.join(","));
  else if (document.getElementById("open-only").checked) params.set("status", OPEN.join(","));
  for (const name of ["theme", "domain", "urgency", "from", "to", "buurt", "organisation"]) {
    const value = data.get(name);
    if (value) params.set(name, value);
  }
  if (data.get("mine")) params.set("mine", "true");
  return params;
}

function bboxParam() {
  const b = map.getBounds();
  const clamp = (v, lim) => Math.max(-lim, Math.min(lim, v));
  return [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)]
    .map((v) => v.toFixed(6)).join(",");
}

function escapeText(text) {
  const span = document.createElement("span");
  span.textContent = text ?? "";
  return span.innerHTML;
}

function clusterMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const count = feature.properties.count;
  const size = count < 10 ? 34 : count < 100 ? 40 : count < 1000 ? 48 : 56;
  const icon = L.divIcon({ className: "", html: `<span class="cluster-icon" style="width:${size}px;height:${size}px">${count}</span>`,
    iconSize: [size, size] });
  const marker = L.marker([lat, lon], { icon, title: `${count} signalen, klik om in te zoomen`, keyboard: true });
  marker.on("click", () => map.setView([lat, lon], Math.min(map.getZoom() + 2, 19)));
  return marker;
}

function singleMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const p = feature.properties;
  const icon = L.divIcon({ className: "", iconSize: [28, 28],
    html: `<span class="single-icon st-${p.status}" style="width:28px;height:28px">${p.urgency === "high" ? "!" : "•"}</span>` });
  const marker = L.marker([lat, lon], { icon, title: `${p.title} (${STATUS_LABELS[p.status]})`, keyboard: true });
  marker.on("click", () => { window.location.href = `/kaart/signalen/${p.id}`; });
  return marker;
}

async function refreshMap() {
  if (mapRequest) mapRequest.abort();
  mapRequest = new AbortController();
  const params = filterParams();
  params.set("bbox", bboxParam());
  params.set("zoom", String(Math.round(map.getZoom())));
  statusEl.textContent = "Laden…";
  try {
    const response = await fetch(`/api/v1/map/signals?${params}`, { signal: mapRequest.signal, credentials: "same-origin" });
    if (response.status === 401) { window.location.href = "/login?next=/kaart"; return; }
    if (!response.ok) throw new Error((await response.json()).detail);
    const data = await response.json();
    markers.clearLayers();
    for (const feature of data.features) {
      markers.addLayer(feature.properties.cluster ? clusterMarker(feature) : singleMarker(feature));
    }
    statusEl.textContent = `${data.total} signalen in beeld`;
  } catch (error) {
    if (error.name !== "AbortError") statusEl.textContent = `Kaart niet bijgewerkt: ${error.message}`;
  }
}

/** A buurt's name for the list (its code until the buurten have loaded). */
function buurtLabel(code) {
  if (!code) return "buurt onbekend";
  return buurtNames.get(code) || code;
}

function listItem(feature) {
  const p = feature.properties;
  const li = document.createElement("li");
  li.innerHTML = `<a href="/kaart/signalen/${p.id}"><span class="title">${escapeText(p.title)}</span>
    <span class="status status-${p.status}">${STATUS_LABELS[p.status]}</span>
    ${p.urgency === "high" ? '<span class="urgent">Urgent</span>' : ""}
    <span class="meta" data-buurt="${escapeText(p.buurt_code || "")}">${escapeText(buurtLabel(p.buurt_code))} · ${new Date(p.occurred_at || p.created_at).toLocaleDateString("nl-NL")}</span></a>`;
  return li;
}

async function refreshList(url) {
  if (listRequest) listRequest.abort();
  listRequest = new AbortController();
  if (!url) {
    const params = filterParams();
    params.set("bbox", bboxParam());
    params.set("per_page", "50");
    url = `/api/v1/signals?${params}`;
    listEl.replaceChildren();
  }
  try {
    const response = await fetch(url, { signal: listRequest.signal, credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    document.getElementById("list-total").textContent = `(${data.total})`;
    listEl.append(...data.features.map(listItem));
    listNext = data.links.next || null;
    document.getElementById("list-more").hidden = !listNext;
  } catch (error) {
    if (error.name !== "AbortError") throw error;
  }
}

function choroplethColour(open, max) {
  if (!open) return CHOROPLETH[0];
  const step = Math.min(CHOROPLETH.length - 1, 1 + Math.floor(((CHOROPLETH.length - 2) * open) / Math.max(max, 1)));
  return CHOROPLETH[step];
}

async function refreshBuurtCounts() {
  const params = filterParams();
  params.delete("status"); // the choropleth always shows open signals; the popup shows both counts
  const data = await apiFetch(`/api/v1/map/buurten?${params}`);
  buurtCounts = new Map(data.buurten.map((b) => [b.buurt_code, b]));
  styleBuurten();
}

function styleBuurten() {
  if (!buurtLayer) return;
  const on = choroplethToggle.checked;
  const max = Math.max(0, ...[...buurtCounts.values()].map((b) => b.open));
  buurtLayer.setStyle((feature) => {
    const counts = buurtCounts.get(feature.properties.buurt_code);
    return on
      ? { color: "#333", weight: 1, fillOpacity: 0.6, fillColor: choroplethColour(counts?.open || 0, max) }
      : { color: "#0b5d3b", weight: 1.5, fillOpacity: 0.02, fillColor: "#0b5d3b" };
  });
  legend.hidden = !on;
  if (on) {
    legend.innerHTML = `<strong>Open signalen per buurt</strong><br>` + [0, 1, Math.ceil(max / 2), max]
      .filter((v, i, a) => a.indexOf(v) === i)
      .map((v) => `<i style="background:${choroplethColour(v, max)}"></i>${v}`).join("<br>");
  }
}

async function loadBuurten() {
  const data = await apiFetch("/api/v1/buurten?simplify=20");
  const select = document.getElementById("f-buurt");
  const sorted = [...data.features].sort((a, b) => a.properties.buurt_name.localeCompare(b.properties.buurt_name, "nl"));
  for (const f of sorted) {
    select.add(new Option(f.properties.buurt_name, f.properties.buurt_code));
    buurtNames.set(f.properties.buurt_code, f.properties.buurt_name);
  }
  // Items listed before the names arrived get them now.
  for (const meta of listEl.querySelectorAll(".meta[data-buurt]")) {
    const code = meta.dataset.buurt;
    if (code) meta.textContent = meta.textContent.replace(code, buurtLabel(code));
  }
  buurtLayer = L.geoJSON(data, {
    attribution: data.attribution || "Bron: CBS / Kadaster",
    onEachFeature: (feature, layer) => layer.on("click", (event) => {
      const p = feature.properties;
      const counts = buurtCounts.get(p.buurt_code) || { total: 0, open: 0 };
      L.popup().setLatLng(event.latlng).setContent(
        `<strong>${escapeText(p.buurt_name)}</strong><br>${escapeText(p.wijk_name || "")}<br>` +
        `${counts.open} open · ${counts.total} totaal`).openOn(map);
    }),
  }).addTo(map);
  buurtLayer.bringToBack();
  styleBuurten();
}

function updateFilterCount() {
  const active = [...filterParams().keys()].filter((k) => k !== "status").length
    + (new FormData(form).getAll("status").length ? 1 : 0);
  document.getElementById("filter-count").textContent = active ? `${active} actief` : "";
}

function refreshAll() {
  updateFilterCount();
  refreshMap();
  refreshList();
  refreshBuurtCounts().catch(() => {});
}

map.on("moveend", () => {
  clearTimeout(moveTimer);
  moveTimer = setTimeout(() => { refreshMap(); refreshList(); }, 250);
});
form.addEventListener("change", refreshAll);
form.addEventListener("reset", () => setTimeout(refreshAll, 0));
form.addEventListener("submit", (event) => event.preventDefault());
choroplethToggle.addEventListener("change", styleBuurten);
document.getElementById("list-more").addEventListener("click", () => listNext && refreshList(listNext));
if (window.matchMedia("(max-width: 700px)").matches) document.getElementById("filters-panel").open = false;

loadBuurten().catch((error) => { statusEl.textContent = `Buurten niet geladen: ${error.message}`; });
refreshAll();
