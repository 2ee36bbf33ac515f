// The dry-run map of /beheer/buurten: new outlines solid, old ones dashed, removed ones red (Leaflet, window.L).
// Works without tiles: the outlines are the content; tiles are only background.
const element = document.getElementById("import-map");
const data = JSON.parse(document.getElementById("import-changes").textContent);
const L = window.L;

const STYLES = {
  changed: { color: "#0b5d3b", weight: 3, fillOpacity: 0.15 },
  added: { color: "#0b5d3b", weight: 3, fillOpacity: 0.3 },
  old: { color: "#6b3fa0", weight: 2, dashArray: "6 4", fill: false },
  removed: { color: "#b3261e", weight: 2, dashArray: "6 4", fillOpacity: 0.1 },
};
const KIND_LABELS = { changed: "nieuwe grens", added: "toegevoegd", old: "oude grens", removed: "verwijderd" };

const map = L.map(element, { keyboard: true });
if (element.dataset.tileUrl) {
  L.tileLayer(element.dataset.tileUrl, { maxZoom: 19, attribution: element.dataset.tileAttribution }).addTo(map);
}
const layer = L.geoJSON(data, {
  attribution: data.attribution,
  style: (feature) => STYLES[feature.properties.kind],
  onEachFeature: (feature, path) => {
    const span = document.createElement("span");
    span.textContent = `${feature.properties.name} (${feature.properties.code}): ${KIND_LABELS[feature.properties.kind]}`;
    path.bindTooltip(span, { sticky: true });
  },
}).addTo(map);
map.fitBounds(layer.getBounds(), { padding: [16, 16] });
element.dataset.features = String(data.features.length);
