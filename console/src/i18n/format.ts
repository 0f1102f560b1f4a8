import type { Locale } from './locale.ts';

export interface Formatter {
  locale: Locale;
  timeZone: string;
  /** Date and time in the user's zone, with its offset. */
  dateTime(iso: string): string;
  date(iso: string): string;
  /** A calendar day ("2026-11-28") as the API's UTC-day statistics name it: "28 Nov". */
  day(isoDate: string): string;
  /** "3 hours ago", "in 2 days". */
  relative(iso: string, now?: number): string;
  /** A whole duration in seconds, in its two largest units: "2 d 4 h". */
  duration(seconds: number): string;
  money(amount: number | string, currency?: string): string;
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

export function createFormatter(locale: Locale, timeZone: string): Formatter {
  const tag = TAGS[locale];
  const dateTime = new Intl.DateTimeFormat(tag, {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  });
  const date = new Intl.DateTimeFormat(tag, { timeZone, year: 'numeric', month: 'short', day: 'numeric' });
  const day = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', month: 'short', day: 'numeric' });
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
    dateTime: (iso) => dateTime.format(new Date(iso)),
    date: (iso) => date.format(new Date(iso)),
    day: (isoDate) => day.format(new Date(`${isoDate}T00:00:00Z`)),
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
