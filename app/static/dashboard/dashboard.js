// The manager dashboard: loads the summary and trend for a period and fills table, map, themes and totals.

import { apiFetch } from "/static/js/session.js";
import { createChoropleth } from "./choropleth.js";
import { downloadWithProgress } from "./download.js";
import { formatFigure, formatInteger } from "./format.js";
import { describe, periodFor, query } from "./period.js";
import { createTable } from "./table.js";
import { drawTrend } from "./trend.js";

const root = document.getElementById("dashboard");
const labels = JSON.parse(document.getElementById("column-labels").textContent);
const themeLabels = JSON.parse(document.getElementById("theme-labels").textContent);
const $ = (id) => document.getElementById(id);
const status = $("status");
const TOTALS = ["conversations", "residents_reached", "signals_total", "signals_open", "signals_overdue",
  "median_days_to_done", "ideas_total", "ideas_granted", "budget_granted_cents", "budget_spent_cents", "gatherings"];

let period = null;
let report = null;
let loads = 0; // only the latest request may fill the page (an older one can answer later)
const table = createTable($("buurten-table"), labels, themeLabels, () => query(period));
let map = null;

function readForm() {
  return periodFor($("period-kind").value, {
    month: $("period-month").value, year: $("period-year").value, quarter: $("period-quarter").value,
    from: $("period-from").value, to: $("period-to").value,
  });
}

function showFieldsFor(kind) {
  for (const field of document.querySelectorAll("[data-kind]")) {
    field.hidden = !field.dataset.kind.split(" ").includes(kind);
  }
}

function initialiseForm() {
  const today = new Date();
  $("period-year").value = today.getFullYear();
  $("period-quarter").value = String(Math.floor(today.getMonth() / 3) + 1);
  $("period-month").value = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}`;
  showFieldsFor($("period-kind").value);
  $("period-kind").addEventListener("change", (event) => showFieldsFor(event.target.value));
}

function renderTotals(totals) {
  const list = $("totals");
  list.replaceChildren();
  for (const key of TOTALS) {
    const item = document.createElement("div");
    const dt = document.createElement("dt");
    dt.textContent = labels[key];
    const dd = document.createElement("dd");
    dd.textContent = formatFigure(key, totals[key]);
    item.append(dt, dd);
    list.append(item);
  }
}

function renderThemes(themes) {
  const list = $("themes");
  list.replaceChildren();
  if (!themes.length) {
    const item = document.createElement("li");
    item.textContent = "Geen thema's in deze periode.";
    list.append(item);
    return;
  }
  const max = themes[0].count;
  for (const theme of themes.slice(0, 8)) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = themeLabels[theme.code] || theme.label || theme.code;
    const bar = document.createElement("span");
    bar.className = "theme-bar";
    bar.style.width = `${Math.max(4, (100 * theme.count) / max)}%`;
    bar.setAttribute("aria-hidden", "true");
    const count = document.createElement("span");
    count.className = "num";
    count.textContent = formatInteger(theme.count);
    item.append(name, bar, count);
    list.append(item);
  }
}

function updateMap() {
  if (map && report) {
    const column = $("map-figure").value;
    map.update(report.buurten, column, labels[column]);
  }
}

async function load() {
  const next = readForm();
  if (!next) {
    status.textContent = "Vul de periode volledig in.";
    return;
  }
  period = next;
  $("period-label").textContent = `Periode: ${describe(period)}`;
  status.textContent = "Cijfers laden…";
  const ticket = ++loads;
  try {
    const [summary, trend] = await Promise.all([
      apiFetch(`/api/v1/reports/buurten?${query(period)}`),
      apiFetch(`/api/v1/reports/trend?${query(period)}`),
    ]);
    if (ticket !== loads) return;
    report = summary;
    renderTotals(summary.totals);
    renderThemes(summary.themes);
    table.update(summary.buurten);
    drawTrend($("trend"), trend.quarters);
    updateMap();
    status.textContent = `Cijfers van ${describe(period)} geladen (${summary.buurten.length} rijen).`;
  } catch (error) {
    if (ticket === loads) status.textContent = `Laden mislukt: ${error.message}`;
  }
}

function wireDownloads() {
  const box = $("download-progress");
  const parts = { bar: $("download-bar"), text: $("download-text"), label: $("download-label") };
  for (const button of document.querySelectorAll("[data-download]")) {
    button.addEventListener("click", async () => {
      const params = new URLSearchParams(query(period || {}));
      params.set("format", button.dataset.format);
      if ("openData" in button.dataset) params.set("open_data", "true");
      box.hidden = false;
      parts.bar.removeAttribute("value");
      parts.text.textContent = "Bezig…";
      const buttons = document.querySelectorAll("[data-download]");
      buttons.forEach((b) => { b.disabled = true; });
      try {
        await downloadWithProgress(`${button.dataset.download}?${params}`, parts, button.dataset.format);
      } catch (error) {
        parts.text.textContent = `Download mislukt: ${error.message}`;
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
  }
}

initialiseForm();
wireDownloads();
$("period-form").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
$("map-figure").addEventListener("change", updateMap);
createChoropleth($("map"), $("legend"), {
  tileUrl: root.dataset.tileUrl, tileAttribution: root.dataset.tileAttribution,
}).then((created) => {
  map = created;
  updateMap();
}).catch((error) => {
  $("map").textContent = `De kaart kon niet laden: ${error.message}. De tabel bevat dezelfde cijfers.`;
});
load();
