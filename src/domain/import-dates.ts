// Dates as spreadsheets write them: dd/mm/yyyy (Vietnamese and most of the world's order),
// optionally with hh:mm[:ss], or ISO 8601. A date without an offset is a wall-clock time in
// the unit's time zone.

const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/u;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/u;

// A formatter is costly to build (tens of microseconds and memory the engine keeps): one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

// Offsets change on quarter hours at the finest: one lookup per zone and quarter hour.
const QUARTER_HOUR = 900_000;
const offsets = new Map<string, number>();

/** How far the zone's wall clock is ahead of UTC at this instant, in milliseconds. */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const key = `${timeZone} ${Math.floor(utcMs / QUARTER_HOUR)}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  if (offsets.size > 100_000) offsets.clear();
  const offset = lookUpOffset(Math.floor(utcMs / QUARTER_HOUR) * QUARTER_HOUR, timeZone);
  offsets.set(key, offset);
  return offset;
}

function lookUpOffset(utcMs: number, timeZone: string): number {
  const parts = formatterOf(timeZone).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** The instant of a wall-clock time in a time zone (the zone's offset at that time). */
function wallTimeToUtc(fields: number[], timeZone: string): number {
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, ms = 0] = fields;
  const guess = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const first = guess - zoneOffsetMs(guess, timeZone);
  return guess - zoneOffsetMs(first, timeZone);
}

function valid(fields: number[]): boolean {
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = fields;
  const day = new Date(Date.UTC(y, mo - 1, d));
  return (
    day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && s < 60
  );
}

/** An RFC 3339 UTC string (ms), or null when the text is no date of these forms or no day of the calendar. */
export function parseBusinessDate(text: string, timeZone: string): string | null {
  const dmy = DMY.exec(text);
  if (dmy) {
    const [, d, mo, y, h, mi, s] = dmy.map((v) => (v === undefined ? undefined : Number(v)));
    const fields = [y ?? 0, mo ?? 0, d ?? 0, h ?? 0, mi ?? 0, s ?? 0];
    return valid(fields) ? new Date(wallTimeToUtc(fields, timeZone)).toISOString() : null;
  }
  const iso = ISO.exec(text);
  if (!iso) return null;
  const fields = iso.slice(1, 8).map((v) => Number(v ?? 0));
  if (!valid(fields)) return null;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0] = fields;
  const zone = iso[8];
  if (zone === undefined) return new Date(wallTimeToUtc(fields, timeZone)).toISOString();
  const offset =
    zone === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) * 60_000;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - offset).toISOString();
}
