// Wall-clock times in a chosen IANA time zone, for the console's own date-time inputs
// ("dd/mm/yyyy HH:mm", whatever the browser's language): the browser's own zone may differ
// from the user's (an office in Hà Nội, a laptop in UTC).

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let format = partsFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(timeZone, format);
  }
  return format;
}

type Wall = { year: number; month: number; day: number; hour: number; minute: number; second: number };

export function wallTime(instant: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const part of partsFormat(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Milliseconds the zone is ahead of UTC at that instant. */
function zoneOffset(instant: number, timeZone: string): number {
  const w = wallTime(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

export const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The `dd/mm/yyyy HH:mm` value of a date-time input showing this instant in the zone. */
export function toZonedInput(iso: string, timeZone: string): string {
  const w = wallTime(Date.parse(iso), timeZone);
  return `${pad(w.day)}/${pad(w.month)}/${pad(w.year, 4)} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** What the inputs show and the hints and errors give as an example. */
export const DATE_TIME_PATTERN = 'dd/mm/yyyy HH:mm';

const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ ,T]+(\d{1,2})[:h.](\d{2})(?::(\d{2}))?)?$/u;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/u;

/** Year, month, day, hours, minutes, seconds of "dd/mm/yyyy[ HH:mm[:ss]]" or "yyyy-mm-ddTHH:mm[:ss]". */
function wallOf(text: string): number[] | null {
  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst !== null) {
    const [, d, mo, y, h, mi, s] = dayFirst;
    return [y, mo, d, h, mi, s].map((n) => (n === undefined ? 0 : Number(n)));
  }
  const iso = ISO_LOCAL.exec(text);
  return iso === null ? null : iso.slice(1).map((n) => (n === undefined ? 0 : Number(n)));
}

/**
 * The UTC instant (RFC 3339) of a wall-clock time in the zone ("dd/mm/yyyy HH:mm", a date
 * alone meaning its midnight), or null when it is not one (31/02 included).
 */
export function fromZonedInput(value: string, timeZone: string): string | null {
  const wall = wallOf(value.trim());
  if (wall === null) return null;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = wall;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(guess).getUTCDate() !== d) return null;
  // The offset at the guess may differ from the one at the answer around a DST change.
  const first = guess - zoneOffset(guess, timeZone);
  const second = guess - zoneOffset(first, timeZone);
  return new Date(second).toISOString();
}

/** A calendar day typed dd/mm/yyyy (or d.m.yyyy, d-m-yyyy) as yyyy-mm-dd, or null when it is not one. */
export function dayFromInput(value: string): string | null {
  const match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/u.exec(value.trim());
  if (match === null) return null;
  const [, d = '', mo = '', y = ''] = match;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCDate() !== Number(d) || day.getUTCMonth() !== Number(mo) - 1) return null;
  return `${pad(Number(y), 4)}-${pad(Number(mo))}-${pad(Number(d))}`;
}

/** A calendar day yyyy-mm-dd as a day field shows it: dd/mm/yyyy. */
export function dayToInput(day: string): string {
  const [y = '', mo = '', d = ''] = day.split('-');
  return `${d}/${mo}/${y}`;
}
