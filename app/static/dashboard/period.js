// Periods of the dashboard: month, quarter, year or custom, as inclusive from/to dates.

const pad = (n) => String(n).padStart(2, "0");
const iso = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;
const lastDay = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Return {from, to} (YYYY-MM-DD) for a kind of period and the form's values; null when incomplete. */
export function periodFor(kind, { month, year, quarter, from, to }) {
  if (kind === "month" && /^\d{4}-\d{2}$/.test(month || "")) {
    const [y, m] = month.split("-").map(Number);
    return { from: iso(y, m, 1), to: iso(y, m, lastDay(y, m)) };
  }
  const y = Number(year);
  if (kind === "quarter" && y) {
    const first = 3 * (Number(quarter) - 1) + 1;
    return { from: iso(y, first, 1), to: iso(y, first + 2, lastDay(y, first + 2)) };
  }
  if (kind === "year" && y) return { from: iso(y, 1, 1), to: iso(y, 12, 31) };
  if (kind === "custom" && (from || to)) return { from: from || null, to: to || null };
  return null;
}

/** Return a Dutch description of a period. */
export function describe(period) {
  const nl = (d) => d.split("-").reverse().join("-");
  if (period.from && period.to) return `${nl(period.from)} t/m ${nl(period.to)}`;
  if (period.from) return `vanaf ${nl(period.from)}`;
  return `tot en met ${nl(period.to)}`;
}

/** Return the query string for a period (without "?"). */
export function query(period) {
  const params = new URLSearchParams();
  if (period.from) params.set("from", period.from);
  if (period.to) params.set("to", period.to);
  return params.toString();
}
