// Ideas as a layer on the signal map (/kaart): residents' initiatives as green dots, filtered by status.
import { apiFetch } from "../js/session.js";
import { map } from "./map.js";

const L = window.L;
const toggle = document.getElementById("ideas-toggle");
const statusSelect = document.getElementById("ideas-status");
const statusText = document.getElementById("ideas-status-text");
const layer = L.layerGroup();
const euro = new Intl.NumberFormat("nl-NL", { style: "currency", currency: "EUR" });
let request = 0;

function escapeText(text) {
  const span = document.createElement("span");
  span.textContent = text ?? "";
  return span.innerHTML;
}

function popup(p) {
  const amounts = [["Gevraagd", p.budget_requested_cents], ["Toegekend", p.budget_granted_cents],
    ["Besteed", p.budget_spent_cents]].filter(([, v]) => v !== null && v !== undefined)
    .map(([label, v]) => `${label}: ${euro.format(v / 100)}`).join("<br>");
  return `<strong>${escapeText(p.title)}</strong><br>Idee · ${escapeText(p.status_label)}${amounts ? `<br>${amounts}` : ""}`;
}

async function refresh() {
  if (!toggle.checked) {
    layer.clearLayers();
    map.removeLayer(layer);
    statusText.textContent = "";
    return;
  }
  const ticket = ++request;
  const b = map.getBounds();
  const params = new URLSearchParams({ bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
    .map((v) => v.toFixed(6)).join(",") });
  if (statusSelect.value) params.append("status", statusSelect.value);
  try {
    const data = await apiFetch(`/api/v1/map/ideas?${params}`);
    if (ticket !== request) return;
    layer.clearLayers();
    for (const feature of data.features) {
      const [lon, lat] = feature.geometry.coordinates;
      L.circleMarker([lat, lon], { radius: 8, color: "#07452b", weight: 2, fillColor: "#2e9d5b", fillOpacity: 0.9 })
        .bindPopup(popup(feature.properties)).addTo(layer);
    }
    layer.addTo(map);
    const n = data.features.length;
    statusText.textContent = `${n} idee${n === 1 ? "" : "ën"} in beeld${data.truncated ? " (de nieuwste 500)" : ""}.`;
  } catch (error) {
    statusText.textContent = `Ideeën laden mislukt: ${error.message}`;
  }
}

toggle.addEventListener("change", refresh);
statusSelect.addEventListener("change", refresh);
map.on("moveend", () => { if (toggle.checked) refresh(); });
