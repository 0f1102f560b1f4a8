import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Catalog } from '../i18n/en.ts';
import { fill } from '../i18n/problems.ts';
import { DATE_TIME_PATTERN } from '../i18n/zoned-time.ts';
import type { DefaultValue, FieldSpec, LeafSpec } from './form-spec.ts';

/** What rendering a form needs besides its spec. */
export type FieldState = {
  formId: string;
  t: Catalog;
  /** The zone date-time fields are read in, as hints name it. */
  zone: string;
  /** Localized field errors by control name. */
  errors: ReadonlyMap<string, string>;
  defaults: Record<string, DefaultValue>;
  rowKeys: ReadonlyMap<string, number[]>;
  addRow(name: string): void;
  removeRow(name: string, key: number): void;
};

export const controlId = (formId: string, name: string) => `${formId}-${name.replaceAll('.', '-')}`;

function labelOf(t: Catalog, key: string): string {
  return (t.field as Record<string, string>)[key] ?? key;
}

function describedBy(id: string, error: string | undefined, hint: string | undefined): string | typeof nothing {
  const ids = [error === undefined ? '' : `${id}-error`, hint === undefined ? '' : `${id}-hint`].filter(Boolean);
  return ids.length === 0 ? nothing : ids.join(' ');
}

function control(
  spec: LeafSpec,
  name: string,
  id: string,
  state: FieldState,
  error: string | undefined,
  hint: string | undefined,
): TemplateResult {
  const value = state.defaults[name];
  const text = typeof value === 'string' ? value : '';
  const common = {
    id,
    error,
    described: describedBy(id, error, hint),
    required: 'required' in spec && spec.required === true,
  };
  switch (spec.kind) {
    case 'textarea':
      return html`<textarea id=${id} name=${name} rows="4" maxlength=${spec.maxLength ?? nothing} .defaultValue=${text}
        aria-invalid=${error === undefined ? 'false' : 'true'} aria-describedby=${common.described} aria-required=${common.required ? 'true' : 'false'}></textarea>`;
    case 'select': {
      const labels = state.t[spec.options.table] as Record<string, string>;
      return html`<select id=${id} name=${name} aria-invalid=${error === undefined ? 'false' : 'true'} aria-describedby=${common.described}
          aria-required=${common.required ? 'true' : 'false'}>
        <option value="" ?selected=${text === ''}>${spec.required ? state.t.form.choose : state.t.form.notGiven}</option>
        ${spec.options.values.map((v) => html`<option value=${v} ?selected=${v === text}>${labels[v] ?? v}</option>`)}
      </select>`;
    }
    case 'datetime':
      // The console's own text field, not the browser's picker: the browser's language
      // decides the picker's order (12/07/2026 for 7 December in a vi-VN Chromium).
      return html`<input id=${id} name=${name} type="text" value=${text} placeholder=${DATE_TIME_PATTERN}
        autocomplete="off" spellcheck="false" class="input--date-time"
        aria-invalid=${error === undefined ? 'false' : 'true'} aria-describedby=${common.described} aria-required=${common.required ? 'true' : 'false'}>`;
    default: {
      const type = spec.kind === 'url' ? 'url' : 'text';
      return html`<input id=${id} name=${name} type=${type} value=${text} maxlength=${'maxLength' in spec ? (spec.maxLength ?? nothing) : nothing}
        inputmode=${spec.kind === 'money' ? 'numeric' : nothing} autocomplete=${'autocomplete' in spec ? (spec.autocomplete ?? nothing) : nothing}
        aria-invalid=${error === undefined ? 'false' : 'true'} aria-describedby=${common.described} aria-required=${common.required ? 'true' : 'false'}>`;
    }
  }
}

function leaf(spec: LeafSpec, name: string, labelKey: string, state: FieldState): TemplateResult | typeof nothing {
  if (spec.kind === 'const') return nothing;
  const id = controlId(state.formId, name);
  const error = state.errors.get(name);
  const label = labelOf(state.t, labelKey);
  if (spec.kind === 'checkbox') {
    return html`<div class="field field--check">
      <input id=${id} name=${name} type="checkbox" ?checked=${state.defaults[name] === true} aria-describedby=${describedBy(id, error, undefined)}>
      <label for=${id}>${label}</label>
      ${error === undefined ? nothing : html`<p class="field-error" id="${id}-error">${error}</p>`}
    </div>`;
  }
  if (spec.kind === 'checkboxes') {
    const labels = state.t[spec.options.table] as Record<string, string>;
    const checked = state.defaults[name];
    return html`<fieldset class="field field--choices" aria-describedby=${describedBy(id, error, undefined)}>
      <legend>${label}</legend>
      ${spec.options.values.map(
        (v, i) => html`<div class="choice">
        <input id="${id}-${i}" name=${name} type="checkbox" value=${v} ?checked=${Array.isArray(checked) && checked.includes(v)}>
        <label for="${id}-${i}">${labels[v] ?? v}</label>
      </div>`,
      )}
      ${error === undefined ? nothing : html`<p class="field-error" id="${id}-error">${error}</p>`}
    </fieldset>`;
  }
  const own = (state.t.hint as Record<string, string>)[labelKey];
  const hint =
    spec.kind === 'datetime'
      ? [own, fill(state.t.formats.dateTimeHint, { zone: state.zone })].filter(Boolean).join(' ')
      : own;
  const required = 'required' in spec && spec.required === true;
  return html`<div class="field ${error === undefined ? '' : 'field--invalid'}">
    <label for=${id}>${label}${required ? html` <span class="required" aria-hidden="true">*</span>` : nothing}</label>
    ${hint === undefined ? nothing : html`<p class="field-hint" id="${id}-hint">${hint}</p>`}
    ${control(spec, name, id, state, error, hint)}
    ${error === undefined ? nothing : html`<p class="field-error" id="${id}-error">${error}</p>`}
  </div>`;
}

function rows(spec: Extract<FieldSpec, { kind: 'rows' }>, state: FieldState): TemplateResult {
  const keys = state.rowKeys.get(spec.name) ?? [];
  const error = state.errors.get(spec.name);
  const id = controlId(state.formId, spec.name);
  const label = labelOf(state.t, spec.name);
  return html`<fieldset class="rows" id=${id} aria-describedby=${describedBy(id, error, undefined)}>
    <legend>${label}</legend>
    ${error === undefined ? nothing : html`<p class="field-error" id="${id}-error">${error}</p>`}
    ${repeat(
      keys,
      (key) => key,
      (key, index) => html`<fieldset class="row">
      <legend>${label} ${index + 1}</legend>
      ${spec.fields.map((child) => leaf(child, `${spec.name}.${index}.${child.name}`, `${spec.name}.${child.name}`, state))}
      ${
        keys.length > spec.min
          ? html`<button type="button" class="button button--quiet" @click=${() => state.removeRow(spec.name, key)}>
        ${state.t.form.removeRow} <span class="visually-hidden">${label} ${index + 1}</span></button>`
          : nothing
      }
    </fieldset>`,
    )}
    ${
      keys.length < spec.max
        ? html`<button type="button" class="button button--secondary" data-add-row=${spec.name} @click=${() => state.addRow(spec.name)}>
      ${state.t.form.addRow} ${label.charAt(0).toLowerCase()}${label.slice(1)}</button>`
        : nothing
    }
  </fieldset>`;
}

export function renderFields(fields: readonly FieldSpec[], state: FieldState): unknown[] {
  return fields.map((spec) => {
    if (spec.kind === 'group') {
      return html`<fieldset class="group"><legend>${labelOf(state.t, spec.name)}</legend>${renderFields(spec.fields, state)}</fieldset>`;
    }
    if (spec.kind === 'rows') return rows(spec, state);
    return leaf(spec, spec.name, spec.name, state);
  });
}
