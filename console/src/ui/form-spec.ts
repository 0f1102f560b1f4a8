// Command forms are data: a list of fields named by the API path they fill ("item.url",
// "evidence.0.kind"). The same names carry the API's field errors back to their inputs.
// DOM-free, so the body building is unit-tested without a browser.
import type { ConsoleCommand } from '../core/commands.ts';
import type { Case } from '../core/types.ts';
import { fromZonedInput } from '../i18n/zoned-time.ts';

type OptionTable =
  | 'platform'
  | 'category'
  | 'priority'
  | 'contentType'
  | 'source'
  | 'verdict'
  | 'evidenceKind'
  | 'remedy'
  | 'appealDecision';
type Options = { values: readonly string[]; table: OptionTable };

export type FieldSpec =
  | { kind: 'text' | 'url' | 'textarea'; name: string; required?: boolean; autocomplete?: string; maxLength?: number }
  | { kind: 'select'; name: string; options: Options; required?: boolean }
  | { kind: 'datetime'; name: string; required?: boolean }
  | { kind: 'money'; name: string; required?: boolean }
  | { kind: 'checkbox'; name: string }
  | { kind: 'checkboxes'; name: string; options: Options }
  | { kind: 'const'; name: string; value: string }
  /** Repeated objects (evidence, legal bases): child names are relative to a row. */
  | { kind: 'rows'; name: string; fields: LeafSpec[]; min: number; max: number }
  /** A fieldset: children carry full names; `object` is sent even when they are all empty. */
  | { kind: 'group'; name: string; fields: FieldSpec[]; object?: string };
export type LeafSpec = Exclude<FieldSpec, { kind: 'rows' | 'group' }>;

export type FormId =
  | 'submit'
  | 'verify'
  | 'refer'
  | 'penalty'
  | 'noViolation'
  | 'fileAppeal'
  | 'decideAppeal'
  | 'close'
  | 'withdraw'
  | 'note'
  | 'evidence';

export type DefaultValue = string | boolean | string[];
export type FormSpec = {
  id: FormId;
  command: ConsoleCommand;
  fields: FieldSpec[];
  /** Values shown when the form opens, by field name (rows: "name.0.child"). */
  defaults?: (current: Case | null, now: string) => Record<string, DefaultValue>;
  /** Ends or undoes something: drawn as a warning. */
  danger?: boolean;
};

/** Reads a control of the form by its full name: a string, the checked values, or a checkbox state. */
export type Reader = (name: string, kind: LeafSpec['kind']) => string | string[] | boolean;

export type Built = {
  body: Record<string, unknown>;
  /** For each rows field, the form row of each array element sent (blank rows are left out). */
  rowsSent: Map<string, number[]>;
};

export type BuildOptions = { timeZone: string; rowCounts: ReadonlyMap<string, number> };

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = keys[i + 1] ?? '';
    node[key] ??= /^\d+$/u.test(next) ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
}

/** A leaf's value as the API wants it; undefined leaves the field out (an empty input). */
function leafValue(spec: LeafSpec, raw: string | string[] | boolean, options: BuildOptions): unknown {
  switch (spec.kind) {
    case 'checkbox':
      return raw === true;
    case 'checkboxes':
      return Array.isArray(raw) ? raw : [];
    case 'const':
      return spec.value;
    default: {
      const text = typeof raw === 'string' ? raw.trim() : '';
      if (text === '') return undefined;
      if (spec.kind === 'datetime') return fromZonedInput(text, options.timeZone) ?? text;
      if (spec.kind === 'money') return parseAmount(text) ?? text;
      return typeof raw === 'string' && spec.kind === 'textarea' ? raw : text;
    }
  }
}

/**
 * A whole amount in đồng as people type it: grouped by dots (7.500.000), commas (7,500,000)
 * or spaces, or not at all, whatever the console's language; null when it is not one.
 */
export function parseAmount(text: string): number | null {
  const compact = text.replace(/[\s\u00a0\u202f]/gu, '').replace(/(₫|đ|VND)$/iu, '');
  if (/^\d{1,13}$/u.test(compact)) return Number(compact);
  if (!/^\d{1,3}([.,])\d{3}(\1\d{3})*$/u.test(compact)) return null;
  const digits = compact.replace(/[.,]/gu, '');
  return digits.length <= 13 ? Number(digits) : null;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === false || (Array.isArray(value) && value.length === 0);
}

export function buildBody(fields: readonly FieldSpec[], read: Reader, options: BuildOptions): Built {
  const body: Record<string, unknown> = {};
  const rowsSent = new Map<string, number[]>();
  const walk = (list: readonly FieldSpec[]) => {
    for (const spec of list) {
      if (spec.kind === 'group') {
        if (spec.object !== undefined) setPath(body, spec.object, {});
        walk(spec.fields);
      } else if (spec.kind === 'rows') {
        const rows: Record<string, unknown>[] = [];
        const sent: number[] = [];
        for (let i = 0; i < (options.rowCounts.get(spec.name) ?? 0); i += 1) {
          const row: Record<string, unknown> = {};
          const values = spec.fields.map(
            (child) => [child, leafValue(child, read(`${spec.name}.${i}.${child.name}`, child.kind), options)] as const,
          );
          if (values.every(([child, value]) => child.kind === 'const' || isBlank(value))) continue;
          for (const [child, value] of values) if (value !== undefined) setPath(row, child.name, value);
          rows.push(row);
          sent.push(i);
        }
        body[spec.name] = rows;
        rowsSent.set(spec.name, sent);
      } else {
        const value = leafValue(spec, read(spec.name, spec.kind), options);
        if (value !== undefined) setPath(body, spec.name, value);
      }
    }
  };
  walk(fields);
  return { body, rowsSent };
}

/**
 * The required fields left blank (outside repeated rows, whose blank rows are not sent and
 * whose errors the API places): marked at their fields before anything is sent.
 */
export function missingRequired(fields: readonly FieldSpec[], read: Reader): string[] {
  return fields.flatMap((spec): string[] => {
    if (spec.kind === 'group') return missingRequired(spec.fields, read);
    if (spec.kind === 'rows' || spec.kind === 'const' || !('required' in spec) || spec.required !== true) return [];
    const value = read(spec.name, spec.kind);
    const blank = typeof value === 'string' ? value.trim() === '' : Array.isArray(value) ? value.length === 0 : !value;
    return blank ? [spec.name] : [];
  });
}

/** The form control an API error path points at ("evidence.1.url" may be form row 2). */
export function controlName(path: string, rowsSent: ReadonlyMap<string, number[]>): string {
  for (const [name, sent] of rowsSent) {
    const prefix = `${name}.`;
    if (!path.startsWith(prefix)) continue;
    const [index, ...rest] = path.slice(prefix.length).split('.');
    const row = sent[Number(index)];
    return row === undefined ? name : [name, row, ...rest].join('.');
  }
  return path;
}

/** Every label key a form uses: leaves by name, rows children as "rows.child", groups by name. */
export function labelKeys(fields: readonly FieldSpec[]): string[] {
  return fields.flatMap((spec): string[] => {
    if (spec.kind === 'group') return [spec.name, ...labelKeys(spec.fields)];
    if (spec.kind === 'rows')
      return [spec.name, ...spec.fields.filter((c) => c.kind !== 'const').map((c) => `${spec.name}.${c.name}`)];
    return spec.kind === 'const' ? [] : [spec.name];
  });
}
