// "Wanneer": the time a conversation, signal or idea was seen or said (occurred_at), as wall-clock
// time in Europe/Amsterdam whatever the phone's own time zone, sent with its UTC offset.

export const ZONE = "Europe/Amsterdam";
const pad = (n) => String(n).padStart(2, "0");
const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  second: "2-digit", hourCycle: "h23",
});
const seenFormat = new Intl.DateTimeFormat("nl-NL", {
  timeZone: ZONE, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
});

/** The wall-clock parts of an instant in Amsterdam: {year, month, day, hour, minute, second}. */
function wallParts(date) {
  const parts = Object.fromEntries(partsFormat.formatToParts(date).map((p) => [p.type, p.value]));
  return { year: +parts.year, month: +parts.month, day: +parts.day, hour: +parts.hour % 24, minute: +parts.minute,
    second: +parts.second };
}

/** Minutes Amsterdam is ahead of UTC at an instant (60 in winter, 120 in summer). */
function offsetAt(date) {
  const p = wallParts(date);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/** An instant as ISO 8601 in Amsterdam time with its offset: "2026-11-27T10:02:00+01:00". */
export function amsterdamIso(date) {
  const p = wallParts(date);
  const offset = offsetAt(date);
  const sign = offset >= 0 ? "+" : "-";
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`
    + `${sign}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** The instant of an Amsterdam date ("2026-11-27") and time ("10:02"), or null when incomplete. */
export function fromAmsterdam(dateText, timeText) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateText || "");
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(timeText || "");
  if (!d || !t) return null;
  const wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +t[1], +t[2], +(t[3] || 0));
  // The offset depends on the instant; two rounds settle it also next to a DST change.
  let instant = wall - offsetAt(new Date(wall)) * 60000;
  instant = wall - offsetAt(new Date(instant)) * 60000;
  return new Date(instant);
}

/** "vr 27 nov 10:02" in Amsterdam time. */
export function seenLabel(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : seenFormat.format(date).replace(/\./g, "").replace(/,/g, "");
}

/** The "Wanneer" fields (date + time), filled with `iso` or with `opened` (when the form was opened). */
export function whenField(iso, opened) {
  const p = wallParts(iso ? new Date(iso) : opened);
  return `<fieldset class="when" id="field-occurred_at"><legend>Wanneer</legend>
    <p class="hint" id="occurred_at-hint">Wanneer u het zag of hoorde. Staat op het moment dat u dit scherm opende.</p>
    <div class="when-inputs">
      <div><label for="occurred_date">Datum</label>
        <input id="occurred_date" name="occurred_at" type="date" required aria-describedby="occurred_at-hint"
          value="${p.year}-${pad(p.month)}-${pad(p.day)}"></div>
      <div><label for="occurred_time">Tijd</label>
        <input id="occurred_time" name="occurred_time" type="time" required
          value="${pad(p.hour)}:${pad(p.minute)}"></div>
    </div>
    <p class="field-error" data-error-for="occurred_at" hidden></p></fieldset>`;
}

/**
 * Read "Wanneer" back as ISO 8601 with offset; adds a Dutch message to `errors` when it is unusable.
 *
 * An unchanged field keeps the exact stored value (seconds included), so saving an edit does not
 * send occurred_at again.
 */
export function readWhen(form, errors, { stored, opened }) {
  const date = form.querySelector("#occurred_date").value;
  const time = form.querySelector("#occurred_time").value;
  const instant = fromAmsterdam(date, time);
  if (!instant) {
    errors.occurred_at = "Vul de datum en de tijd in.";
    return null;
  }
  if (instant.getTime() > Date.now() + 10 * 60 * 1000) {
    errors.occurred_at = "Dit ligt in de toekomst. Vul in wanneer het gebeurde.";
    return null;
  }
  const shown = wallParts(stored ? new Date(stored) : opened);
  const unchanged = date === `${shown.year}-${pad(shown.month)}-${pad(shown.day)}`
    && time === `${pad(shown.hour)}:${pad(shown.minute)}`;
  if (unchanged) return stored || amsterdamIso(opened);
  return amsterdamIso(instant);
}
