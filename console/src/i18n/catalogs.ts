import type { Catalog } from './en.ts';
import { en } from './en.ts';
import type { Locale } from './locale.ts';
import { vi } from './vi.ts';

export const catalogs: Record<Locale, Catalog> = { vi, en };
