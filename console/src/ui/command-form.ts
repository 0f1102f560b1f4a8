import { html, nothing, type PropertyValues } from 'lit';
import { ApiProblem } from '../core/api-client.ts';
import { COMMAND_PATHS, randomKey, runCommand } from '../core/commands.ts';
import type { Case } from '../core/types.ts';
import type { FormCopy } from '../i18n/en.ts';
import { describeProblem, fieldMessage, type ShownProblem } from '../i18n/problems.ts';
import { toZonedInput } from '../i18n/zoned-time.ts';
import { ConsoleElement } from './element.ts';
import {
  buildBody,
  controlName,
  type DefaultValue,
  type FieldSpec,
  type FormSpec,
  type LeafSpec,
} from './form-spec.ts';
import { controlId, renderFields } from './fields.ts';
import { problemBox } from './problem-box.ts';

/**
 * A command form: renders its spec, posts the body (with the case's version, so a stale
 * page cannot overwrite newer work), and shows the API's answer: field errors next to their
 * fields, any other problem above the form. Fires `applied` with the case after the command.
 */
export class CommandForm extends ConsoleElement {
  static override properties = {
    spec: { attribute: false },
    current: { attribute: false },
    compact: { type: Boolean },
  };
  declare spec: FormSpec;
  /** The case the command acts on (null: submit). */
  declare current: Case | null;
  /** Inside a <details> whose summary already names it: the title is for screen readers only. */
  declare compact: boolean;

  private errors = new Map<string, string>();
  private problem: ShownProblem | null = null;
  private busy = false;
  private rowKeys = new Map<string, number[]>();
  private nextKey = 0;
  private idempotencyKey = randomKey();
  private defaults: Record<string, DefaultValue> = {};

  // Lit may reuse this element for another form (the case moved on): start afresh then.
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('spec')) this.resetState();
  }

  private resetState(): void {
    this.rowKeys = new Map();
    const visit = (fields: readonly FieldSpec[]) => {
      for (const spec of fields) {
        if (spec.kind === 'group') visit(spec.fields);
        if (spec.kind === 'rows')
          this.rowKeys.set(
            spec.name,
            Array.from({ length: Math.max(spec.min, 1) }, () => this.nextKey++),
          );
      }
    };
    visit(this.spec.fields);
    const now = toZonedInput(new Date().toISOString(), this.ctx.f.timeZone);
    this.defaults = this.spec.defaults?.(this.current ?? null, now) ?? {};
    this.errors = new Map();
    this.problem = null;
    this.idempotencyKey = randomKey();
  }

  private addRow(name: string): void {
    this.rowKeys.set(name, [...(this.rowKeys.get(name) ?? []), this.nextKey++]);
    this.requestUpdate();
    void this.updateComplete.then(() => {
      const count = this.rowKeys.get(name)?.length ?? 1;
      this.querySelector<HTMLElement>(`[name^="${name}.${count - 1}."]`)?.focus();
    });
  }

  private removeRow(name: string, key: number): void {
    this.rowKeys.set(
      name,
      (this.rowKeys.get(name) ?? []).filter((k) => k !== key),
    );
    this.requestUpdate();
    void this.updateComplete.then(() => this.querySelector<HTMLElement>(`[data-add-row="${name}"]`)?.focus());
  }

  private read(name: string, kind: LeafSpec['kind']): string | string[] | boolean {
    const controls = Array.from(this.querySelectorAll<HTMLInputElement>(`[name="${CSS.escape(name)}"]`));
    if (kind === 'checkbox') return controls[0]?.checked === true;
    if (kind === 'checkboxes') return controls.filter((c) => c.checked).map((c) => c.value);
    return controls[0]?.value ?? '';
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const { t, f } = this.ctx;
    const rowCounts = new Map([...this.rowKeys].map(([name, keys]) => [name, keys.length]));
    const { body, rowsSent } = buildBody(this.spec.fields, (name, kind) => this.read(name, kind), {
      timeZone: f.timeZone,
      rowCounts,
    });
    const current = this.current ?? null;
    if (current !== null) body.expectedVersion = current.version;
    const path = current === null ? COMMAND_PATHS.submit() : COMMAND_PATHS[this.spec.command](current.id);
    this.busy = true;
    this.errors = new Map();
    this.problem = null;
    this.requestUpdate();
    try {
      const result = await runCommand(this.ctx.client, path, body, { idempotencyKey: this.idempotencyKey });
      this.idempotencyKey = randomKey();
      this.querySelector('form')?.reset();
      this.resetState();
      this.ctx.announce(t.forms[this.spec.id].done);
      this.dispatchEvent(new CustomEvent<Case>('applied', { detail: result, bubbles: true }));
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      // A stored-and-refused command holds its key: a corrected body needs a new one.
      if (error.code !== 'network') this.idempotencyKey = randomKey();
      this.showProblem(error, rowsSent);
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  private showProblem(error: ApiProblem, rowsSent: Map<string, number[]>): void {
    const { t, f } = this.ctx;
    const unplaced: string[] = [];
    for (const fieldError of error.errors) {
      const name = controlName(fieldError.path, rowsSent);
      const message = fieldMessage(fieldError.message, t, f);
      if (this.querySelector(`[name="${CSS.escape(name)}"], #${CSS.escape(controlId(this.spec.id, name))}`) === null) {
        const label = (t.field as Record<string, string>)[fieldError.path.replace(/\.\d+\./gu, '.')];
        unplaced.push(label === undefined ? message : `${label}: ${message}`);
      } else if (!this.errors.has(name)) this.errors.set(name, message);
    }
    const shown = describeProblem(error, t, f);
    this.problem = unplaced.length === 0 ? shown : { ...shown, detail: [shown.detail, ...unplaced].join(' ') };
    if (error.code === 'version_conflict') this.dispatchEvent(new CustomEvent('stale', { bubbles: true }));
    void this.updateComplete.then(() => this.querySelector<HTMLElement>('.problem')?.focus());
  }

  override render() {
    const { t } = this.ctx;
    const copy: FormCopy = t.forms[this.spec.id];
    const state = {
      formId: this.spec.id,
      t,
      zone: this.ctx.f.zoneName(),
      errors: this.errors,
      defaults: this.defaults,
      rowKeys: this.rowKeys,
      addRow: (name: string) => this.addRow(name),
      removeRow: (name: string, key: number) => this.removeRow(name, key),
    };
    return html`<form class="command-form ${this.spec.danger ? 'command-form--danger' : ''}" novalidate
        aria-labelledby="${this.spec.id}-title" aria-busy=${this.busy ? 'true' : 'false'} @submit=${(e: SubmitEvent) => this.submit(e)}>
      <h3 id="${this.spec.id}-title" class=${this.compact ? 'visually-hidden' : ''}>${copy.title}</h3>
      ${copy.intro === undefined ? nothing : html`<p class="form-intro">${copy.intro}</p>`}
      ${this.problem === null ? nothing : problemBox(this.problem, t)}
      ${renderFields(this.spec.fields, state)}
      <p class="form-actions">
        <button type="submit" class="button ${this.spec.danger ? 'button--danger' : 'button--primary'}" ?disabled=${this.busy}>
          ${this.busy ? t.form.sending : copy.submit}
        </button>
      </p>
    </form>`;
  }
}
customElements.define('ct-command-form', CommandForm);
