import type { Catalog } from '../i18n/en.ts';
import type { Formatter } from '../i18n/format.ts';
import type { ApiClient } from './api-client.ts';
import type { NameDirectory } from './names.ts';
import type { Me } from './types.ts';

/** What every page works with; a new object whenever the user, language or time zone changes. */
export interface AppContext {
  me: Me;
  client: ApiClient;
  t: Catalog;
  f: Formatter;
  names: NameDirectory;
  navigate(hash: string): void;
  /**
   * Read out by screen readers (a polite live region) and shown briefly above the page; gone
   * at the next navigation unless forNextPage (the action is about to open the page it confirms).
   */
  announce(text: string, options?: { forNextPage?: boolean }): void;
}

export function hasRole(me: Me, ...roles: Me['roles']): boolean {
  return me.roles.some((role) => roles.includes(role));
}
