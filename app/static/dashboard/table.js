// The sortable table of buurten: one column per figure, header buttons with aria-sort.

import { formatFigure } from "./format.js";

const NUMERIC = new Set([
  "conversations", "residents_reached", "signals_total", "signals_open", "signals_done", "signals_overdue",
  "median_days_to_done", "ideas_total", "ideas_granted", "budget_requested_cents", "budget_granted_cents",
  "budget_spent_cents", "gatherings", "gathering_attendance",
]);
const SHOWN = ["buurt_name", "wijk_name", ...NUMERIC, "top_themes"];

/** Render rows into the table and keep them sortable by every column. */
export function createTable(table, labels, themeLabels, reportQuery) {
  let rows = [];
  let sortKey = "buurt_name";
  let ascending = true;

  function compare(a, b) {
    const x = a[sortKey];
    const y = b[sortKey];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1; // empty values last, whatever the direction
    if (y === null || y === undefined) return -1;
    const order = NUMERIC.has(sortKey) ? x - y : String(x).localeCompare(String(y), "nl");
    return ascending ? order : -order;
  }

  function cell(row, key) {
    const td = document.createElement(key === "buurt_name" ? "th" : "td");
    if (key === "buurt_name") {
      td.scope = "row";
      if (row.buurt_code) {
        const link = document.createElement("a");
        link.href = `/reports/buurten/${encodeURIComponent(row.buurt_code)}?${reportQuery()}`;
        link.textContent = row.buurt_name;
        td.append(link);
      } else {
        td.textContent = row.buurt_name;
      }
    } else if (key === "top_themes") {
      td.textContent = (row.top_themes || []).map((t) => themeLabels[t] || t).join(", ");
    } else {
      td.textContent = NUMERIC.has(key) ? formatFigure(key, row[key]) : row[key] ?? "–";
      if (NUMERIC.has(key)) td.className = "num";
    }
    return td;
  }

  function render() {
    table.replaceChildren();
    const caption = table.createCaption();
    caption.className = "visually-hidden";
    caption.textContent = `Cijfers per buurt, gesorteerd op ${labels[sortKey]} (${ascending ? "oplopend" : "aflopend"})`;
    const head = table.createTHead().insertRow();
    for (const key of SHOWN) {
      const th = document.createElement("th");
      th.scope = "col";
      th.setAttribute("aria-sort", key === sortKey ? (ascending ? "ascending" : "descending") : "none");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = labels[key] + (key === sortKey ? (ascending ? " ▲" : " ▼") : "");
      button.addEventListener("click", () => {
        ascending = key === sortKey ? !ascending : !NUMERIC.has(key);
        sortKey = key;
        render();
        table.querySelector(`th[aria-sort] button.sort:focus`)?.blur();
        [...table.tHead.rows[0].cells][SHOWN.indexOf(key)].querySelector("button").focus();
      });
      th.append(button);
      head.append(th);
    }
    const body = table.createTBody();
    for (const row of [...rows].sort(compare)) {
      const tr = body.insertRow();
      for (const key of SHOWN) tr.append(cell(row, key));
    }
  }

  return {
    update(newRows) {
      rows = newRows;
      render();
    },
  };
}
