import type { Locale } from './locale.ts';
import { pad, wallTime } from './zoned-time.ts';

export interface Formatter {
  locale: Locale;
  timeZone: string;
  /** "dd/mm/yyyy HH:mm" in the chosen zone; its offset follows only when the device runs in another zone. */
  dateTime(iso: string): string;
  /** The same to the second (the access log). */
  dateTimeSeconds(iso: string): string;
  /** "dd/mm/yyyy". */
  date(iso: string): string;
  /** A calendar day ("2026-11-28") as the API's UTC-day statistics name it: "28/11". */
  day(isoDate: string): string;
  /** The zone's name and offset, as hints say it: "Asia/Ho_Chi_Minh (GMT+7)". */
  zoneName(): string;
  /** "3 hours ago", "in 2 days". */
  relative(iso: string, now?: number): string;
  /** A whole duration in seconds, in its two largest units: "2 d 4 h". */
  duration(seconds: number): string;
  money(amount: number | string, currency?: string): string;
  /** An amount as typed in a form, with the language's grouping: "7.500.000" or "7,500,000". */
  amount(value: number): string;
  number(value: number): string;
  /** A size: 512 B, 1.5 KiB, 20 MiB... */
  bytes(value: number): string;
}

const TAGS: Record<Locale, string> = { vi: 'vi-VN', en: 'en-GB' };

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 31_536_000],
  ['month', 2_592_000],
  ['week', 604_800],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** The zone the device itself runs in: a time in another zone says which one it is in. */
function deviceTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Dates read day first in both languages (dd/mm/yyyy HH:mm, 24 h), as Vietnamese documents
 * write them; the parts come from Intl in the chosen zone, the order is the console's own.
 */
export function createFormatter(locale: Locale, timeZone: string, ownZone = deviceTimeZone()): Formatter {
  const tag = TAGS[locale];
  const showZone = offsetName(timeZone, Date.now()) !== offsetName(ownZone, Date.now());
  const stamp = (iso: string, seconds: boolean) => {
    const w = wallParts(Date.parse(iso), timeZone);
    const text = `${w.date} ${w.hour}:${w.minute}${seconds ? `:${w.second}` : ''}`;
    return showZone ? `${text} ${offsetName(timeZone, Date.parse(iso))}` : text;
  };
  const relative = new Intl.RelativeTimeFormat(tag, { numeric: 'auto' });
  const number = new Intl.NumberFormat(tag);
  const unit = (name: 'day' | 'hour' | 'minute' | 'second') =>
    new Intl.NumberFormat(tag, { style: 'unit', unit: name, unitDisplay: 'short' });
  const durationUnits = [
    [unit('day'), 86_400],
    [unit('hour'), 3_600],
    [unit('minute'), 60],
    [unit('second'), 1],
  ] as const;

  return {
    locale,
    timeZone,
    dateTime: (iso) => stamp(iso, false),
    dateTimeSeconds: (iso) => stamp(iso, true),
    date: (iso) => wallParts(Date.parse(iso), timeZone).date,
    day: (isoDate) => isoDate.slice(8, 10) + '/' + isoDate.slice(5, 7),
    zoneName: () => `${timeZone} (${offsetName(timeZone, Date.now())})`,
    relative(iso, now = Date.now()) {
      const seconds = (Date.parse(iso) - now) / 1000;
      const [name, size] = UNITS.find(([, s]) => Math.abs(seconds) >= s) ?? ['second', 1];
      return relative.format(Math.round(seconds / size), name);
    },
    duration(seconds) {
      let rest = Math.max(0, Math.round(seconds));
      const parts: string[] = [];
      for (const [format, size] of durationUnits) {
        if (parts.length === 2) break;
        const n = Math.floor(rest / size);
        if (n > 0 || (parts.length === 0 && size === 1)) parts.push(format.format(n));
        if (parts.length > 0 && n === 0) break;
        rest -= n * size;
      }
      return parts.join(' ');
    },
    money: (amount, currency = 'VND') =>
      new Intl.NumberFormat(tag, { style: 'currency', currency }).format(
        typeof amount === 'string' ? Number(amount) : amount,
      ),
    amount: (value) => number.format(value),
    number: (value) => number.format(value),
    bytes: (value) => {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let size = value;
      let unit = 0;
      while (size >= 1024 && unit < units.length - 1) {
        size /= 1024;
        unit += 1;
      }
      const digits = unit === 0 || size >= 10 ? 0 : 1;
      return `${new Intl.NumberFormat(tag, { maximumFractionDigits: digits }).format(size)} ${units[unit]}`;
    },
  };
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** "GMT+7" for the zone at that instant. */
function offsetName(zone: string, instant: number): string {
  let format = offsetFormats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' });
    offsetFormats.set(zone, format);
  }
  return format.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

function wallParts(instant: number, zone: string) {
  const w = wallTime(instant, zone);
  return {
    date: `${pad(w.day)}/${pad(w.month)}/${pad(w.year, 4)}`,
    hour: pad(w.hour),
    minute: pad(w.minute),
    second: pad(w.second),
  };
}
