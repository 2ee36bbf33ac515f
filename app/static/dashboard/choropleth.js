// The choropleth: buurt outlines from /api/v1/buurten?simplify=20 coloured by one figure (Leaflet, window.L).

import { formatFigure } from "./format.js";

const COLOURS = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"];
const EMPTY = "#d9d9d9";

/** Return the upper bounds of up to five classes of the values (quantiles, distinct). */
function breaks(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (!sorted.length) return [];
  const bounds = [];
  for (let i = 1; i <= COLOURS.length; i += 1) {
    const value = sorted[Math.min(sorted.length - 1, Math.ceil((i / COLOURS.length) * sorted.length) - 1)];
    if (!bounds.includes(value)) bounds.push(value);
  }
  return bounds;
}

/** Create the map; returns {update(rows, column, label)}. */
export async function createChoropleth(element, legend, { tileUrl, tileAttribution }) {
  const L = window.L;
  const map = L.map(element, { zoomSnap: 0.25, keyboard: true });
  if (tileUrl) {
    // Tiles are decoration: without them (offline, blocked) the outlines still tell the story.
    L.tileLayer(tileUrl, { maxZoom: 19, attribution: tileAttribution, crossOrigin: true }).addTo(map);
  }
  const response = await fetch("/api/v1/buurten?simplify=20", { credentials: "same-origin" });
  if (!response.ok) throw new Error(`Buurtgrenzen laden mislukt (${response.status})`);
  const outlines = await response.json();
  let byCode = new Map();
  let column = null;
  let bounds = [];
  let minimum = null;
  const layer = L.geoJSON(outlines, {
    attribution: outlines.attribution || "Bron: CBS / Kadaster",
    style: () => ({ color: "#07452b", weight: 1, fillOpacity: 0.75, fillColor: EMPTY }),
    onEachFeature: (feature, path) => {
      path.bindTooltip(() => {
        const row = byCode.get(feature.properties.buurt_code);
        const value = row ? formatFigure(column, row[column]) : "–";
        return `<strong>${feature.properties.buurt_name}</strong><br>${value}`;
      }, { sticky: true });
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds());

  function colour(value) {
    if (value === null || value === undefined || !bounds.length) return EMPTY;
    let index = bounds.findIndex((b) => value <= b);
    if (index === -1) index = bounds.length - 1;
    // Spread however many classes there are over the whole palette, lightest first.
    return COLOURS[Math.round((index * (COLOURS.length - 1)) / Math.max(1, bounds.length - 1))];
  }

  /** The text of each class: "0", "1 – 3", "4 – 10" for counts; "meer dan X t/m Y" for amounts and days. */
  function classLabels() {
    const whole = !column.endsWith("_cents") && column !== "median_days_to_done";
    const fmt = (v) => formatFigure(column, v);
    return bounds.map((upper, i) => {
      if (i === 0) return minimum === upper ? fmt(upper) : `${fmt(minimum)} – ${fmt(upper)}`;
      const previous = bounds[i - 1];
      if (!whole) return `meer dan ${fmt(previous)} t/m ${fmt(upper)}`;
      return previous + 1 === upper ? fmt(upper) : `${fmt(previous + 1)} – ${fmt(upper)}`;
    });
  }

  function drawLegend(label) {
    legend.replaceChildren();
    const title = document.createElement("strong");
    title.textContent = label;
    legend.append(title);
    const texts = classLabels();
    bounds.forEach((upper, i) => {
      const item = document.createElement("span");
      const swatch = document.createElement("i");
      swatch.style.background = colour(upper);
      item.append(swatch, ` ${texts[i]}`);
      legend.append(item);
    });
    const none = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = EMPTY;
    none.append(swatch, " geen gegevens");
    legend.append(none);
  }

  return {
    update(rows, newColumn, label) {
      column = newColumn;
      byCode = new Map(rows.filter((r) => r.buurt_code).map((r) => [r.buurt_code, r]));
      const values = [...byCode.values()].map((r) => r[column]).filter((v) => v !== null && v !== undefined);
      bounds = breaks(values);
      minimum = values.length ? Math.min(...values) : null;
      layer.setStyle((feature) => {
        const row = byCode.get(feature.properties.buurt_code);
        return { fillColor: colour(row ? row[column] : null) };
      });
      drawLegend(label);
    },
  };
}
