// Dutch number formatting for the dashboard.

const integer = new Intl.NumberFormat("nl-NL");
const oneDecimal = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 1 });
const euro = new Intl.NumberFormat("nl-NL", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });

/** Format one figure of a report row for display. */
export function formatFigure(column, value) {
  if (value === null || value === undefined) return "–";
  if (column.endsWith("_cents")) return euro.format(value / 100);
  if (column === "median_days_to_done") return oneDecimal.format(value);
  return integer.format(value);
}

export const formatInteger = (n) => integer.format(n);
