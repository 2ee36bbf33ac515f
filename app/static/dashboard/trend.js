// The trend per quarter: grouped bars in SVG plus the same figures as a table.

import { formatInteger } from "./format.js";

const SERIES = [
  ["conversations", "Gesprekken", "#0b5d3b"],
  ["signals_total", "Signalen", "#b3541e"],
  ["ideas_total", "Ideeën", "#3b4fa8"],
];
const SVG = "http://www.w3.org/2000/svg";

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

/** Draw the quarters (from /api/v1/reports/trend) into the container. */
export function drawTrend(container, quarters) {
  container.replaceChildren();
  if (!quarters.length) {
    container.textContent = "Geen kwartalen in deze periode.";
    return;
  }
  const width = 720;
  const height = 240;
  const left = 44;
  const bottom = 28;
  const max = Math.max(1, ...quarters.flatMap((q) => SERIES.map(([key]) => q[key])));
  const groupWidth = (width - left) / quarters.length;
  const barWidth = Math.max(3, (groupWidth - 10) / SERIES.length);
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "trend-chart",
    "aria-label": "Staafdiagram van gesprekken, signalen en ideeën per kwartaal; de tabel eronder bevat dezelfde cijfers" });
  for (const fraction of [0, 0.5, 1]) {
    const y = (height - bottom) * (1 - fraction) + 4;
    svg.append(svgElement("line", { x1: left, x2: width, y1: y, y2: y, class: "grid" }));
    const label = svgElement("text", { x: left - 6, y: y + 4, "text-anchor": "end" });
    label.textContent = formatInteger(Math.round(max * fraction));
    svg.append(label);
  }
  quarters.forEach((q, i) => {
    const x0 = left + i * groupWidth + 5;
    SERIES.forEach(([key, name, colour], j) => {
      const h = ((height - bottom - 4) * q[key]) / max;
      const bar = svgElement("rect", { x: x0 + j * barWidth, y: height - bottom - h, width: barWidth - 1, height: h, fill: colour });
      const title = svgElement("title", {});
      title.textContent = `${q.quarter}: ${formatInteger(q[key])} ${name.toLowerCase()}`;
      bar.append(title);
      svg.append(bar);
    });
    const label = svgElement("text", { x: x0 + (groupWidth - 10) / 2, y: height - 8, "text-anchor": "middle" });
    label.textContent = q.quarter;
    svg.append(label);
  });
  const legend = document.createElement("p");
  legend.className = "trend-legend";
  for (const [, name, colour] of SERIES) {
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = colour;
    item.append(swatch, ` ${name}`);
    legend.append(item);
  }
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "Cijfers per kwartaal als tabel";
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const text of ["Kwartaal", "Gesprekken", "Bewoners bereikt", "Signalen", "Afgerond", "Ideeën", "Toegekend"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    head.append(th);
  }
  const body = table.createTBody();
  for (const q of quarters) {
    const row = body.insertRow();
    const values = [q.conversations, q.residents_reached, q.signals_total, q.signals_done, q.ideas_total, q.ideas_granted];
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = q.quarter;
    row.append(th);
    for (const value of values) {
      const td = row.insertCell();
      td.className = "num";
      td.textContent = formatInteger(value);
    }
  }
  details.append(summary, table);
  container.append(svg, legend, details);
}
