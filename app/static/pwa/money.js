// Amounts in euro as Dutch people type them, and back to text. Shared by every form where an amount
// is typed (the field app, the programme's budget pages); the rules are in docs/amounts.md.
//
// Accepted: "750", "750,5", "750,50", "1.500", "1.500,-", "€ 1.500,00", "12.345.678,90", "1 500",
// "EUR 25" — a comma separates cents (one or two digits), a dot or space groups thousands (exactly
// three digits per group), a leading € / EUR and a trailing ",-" or ",--" are allowed.
//
// Refused, because the same text means another amount in English notation and a wrong guess would
// silently change it a hundred- or thousandfold:
//   "1,500"  — a comma followed by three digits: € 1,50 (Dutch) or € 1.500 (English)?
//   "1.50"   — a dot followed by one or two digits: € 1,50 (English) or a typo for 1.500?
//   "1,500.00", "1.500.5", "1.5000" — mixed or misplaced separators.
// Also refused: negative amounts, more than two decimals, and more than € 1.000.000.000.

/** The largest amount accepted, in cents (far below what a 64-bit column or a JS number can hold). */
export const MAX_CENTS = 100_000_000_000;

const GROUPED = /^\d{1,3}([. ]\d{3})+$/;
const PLAIN = /^\d+$/;

/**
 * Read a Dutch euro amount.
 *
 * Returns `{cents}` (an integer; `null` for an empty text) or `{error}` with a Dutch message that
 * says what to type instead.
 */
export function parseEuro(text) {
  let s = String(text ?? "").replace(/[\u00a0\u202f]/g, " ").trim();
  if (s === "") return { cents: null };
  s = s.replace(/^(€|eur(o)?)\s*/i, "").replace(/,-{1,2}$/, "").replace(/\.-$/, "").trim();
  if (s.startsWith("-")) return { error: "Een bedrag kan niet negatief zijn." };
  if (s.includes(",") && s.includes(".") && s.lastIndexOf(".") > s.lastIndexOf(",")) {
    return { error: `Dit lijkt Engelse notatie (${String(text).trim()}). Schrijf duizendtallen met een punt en centen met een komma, bijvoorbeeld 1.500,00.` };
  }
  const [whole, decimals, ...rest] = s.split(",");
  if (rest.length) return { error: "Gebruik maar één komma, voor de centen: bijvoorbeeld 750,50." };
  if (decimals !== undefined && /^\d{3}$/.test(decimals) && PLAIN.test(whole)) {
    return { error: `Is "${String(text).trim()}" € ${whole},${decimals.slice(0, 2)} of € ${whole}.${decimals}? Schrijf duizendtallen met een punt (${whole}.${decimals}) en centen met een komma (${whole},${decimals.slice(0, 2)}).` };
  }
  if (decimals !== undefined && !/^\d{1,2}$/.test(decimals)) {
    return { error: "Na de komma komen hoogstens twee cijfers (de centen): bijvoorbeeld 750,50." };
  }
  if (decimals === undefined && /^\d+\.\d{1,2}$/.test(whole)) {
    const [euros, cents] = whole.split(".");
    return { error: `Gebruik een komma voor de centen: ${euros},${cents.padEnd(2, "0")}. Een punt staat voor duizendtallen (1.500).` };
  }
  if (!PLAIN.test(whole) && !GROUPED.test(whole)) {
    return { error: "Dit is geen bedrag. Typ bijvoorbeeld 750, 750,50 of 1.500." };
  }
  const euros = Number(whole.replace(/[. ]/g, ""));
  const cents = euros * 100 + Number((decimals || "0").padEnd(2, "0"));
  if (!Number.isSafeInteger(cents) || cents > MAX_CENTS) {
    return { error: `Dit bedrag is te groot: hoogstens ${formatEuro(MAX_CENTS)}.` };
  }
  return { cents };
}

/** Format cents as "€ 1.500,00" (dots between thousands, a comma before the cents). */
export function formatEuro(cents) {
  if (cents === null || cents === undefined || !Number.isFinite(Number(cents))) return "";
  const value = Math.round(Number(cents));
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  const euros = String(Math.trunc(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  return `€ ${sign}${euros},${String(abs % 100).padStart(2, "0")}`;
}
