import { DEFAULT_TIME_ZONE, isLocale, isTimeZone, preferredLocale, type Locale } from '../i18n/locale.ts';

// The token is per tab and forgotten with it (session storage); language and time zone are
// preferences of this browser (local storage). Storage can be unavailable (private modes):
// the console then keeps them in memory.

const TOKEN_KEY = 'casetrail.token';
const LOCALE_KEY = 'casetrail.locale';
const TIME_ZONE_KEY = 'casetrail.timeZone';

function read(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null;
  }
}

function write(storage: () => Storage, key: string, value: string | null): void {
  try {
    if (value === null) storage().removeItem(key);
    else storage().setItem(key, value);
  } catch {
    // Not persisted; the value still holds for this page.
  }
}

const session = () => window.sessionStorage;
const local = () => window.localStorage;

/** Any value of this tab's session storage (drafts), kept in memory when storage is unavailable. */
export const sessionValue = {
  get: (key: string) => read(session, key),
  set: (key: string, value: string | null) => write(session, key, value),
  keys(prefix: string): string[] {
    try {
      return Object.keys(session()).filter((key) => key.startsWith(prefix));
    } catch {
      return [];
    }
  },
};

export const tokenStore = {
  get: () => read(session, TOKEN_KEY),
  set: (token: string | null) => write(session, TOKEN_KEY, token),
};

export function loadLocale(): Locale {
  const stored = read(local, LOCALE_KEY);
  return isLocale(stored) ? stored : preferredLocale(navigator.languages);
}

export const saveLocale = (locale: Locale) => write(local, LOCALE_KEY, locale);

export function loadTimeZone(): string {
  const stored = read(local, TIME_ZONE_KEY);
  return isTimeZone(stored) ? stored : DEFAULT_TIME_ZONE;
}

export const saveTimeZone = (timeZone: string) => write(local, TIME_ZONE_KEY, timeZone);

/** Zones offered in the switcher: Việt Nam first, the browser's own, a few common ones. */
export function timeZoneChoices(current: string): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zones = [
    DEFAULT_TIME_ZONE,
    own,
    current,
    'Asia/Bangkok',
    'Asia/Singapore',
    'Asia/Tokyo',
    'Europe/London',
    'Europe/Paris',
    'America/New_York',
    'UTC',
  ];
  return [...new Set(zones.filter(isTimeZone))];
}
