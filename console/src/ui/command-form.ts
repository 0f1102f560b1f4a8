import { html, nothing, type PropertyValues } from 'lit';
import { ApiProblem } from '../core/api-client.ts';
import { COMMAND_PATHS, randomKey, runCommand } from '../core/commands.ts';
import { drafts, type DraftValue } from '../core/drafts.ts';
import type { Case, CaseEvent, Page } from '../core/types.ts';
import type { FormCopy } from '../i18n/en.ts';
import { describeProblem, fieldMessage, fill, type ShownProblem } from '../i18n/problems.ts';
import { toZonedInput } from '../i18n/zoned-time.ts';
import { ConsoleElement } from './element.ts';
import {
  buildBody,
  controlName,
  missingRequired,
  type DefaultValue,
  type FieldSpec,
  type FormSpec,
  type LeafSpec,
} from './form-spec.ts';
import { controlId, renderFields } from './fields.ts';
import { conflictBox, type Moved } from './conflict-box.ts';
import { problemBox } from './problem-box.ts';

/**
 * A command form: renders its spec, posts the body (with the case's version the user started
 * from, so a stale page cannot overwrite newer work), and shows the API's answer: field errors
 * next to their fields, any other problem above the form. What the user types is kept as a
 * draft (core/drafts.ts) until the command is applied. When the case moved past the version
 * the user started from (a refusal, or a change pushed while typing), the form says what
 * changed and by whom, keeps the input, and offers to retry on the new state. Fires `applied`
 * with the case after the command, `stale` when the case must be reloaded.
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
  /** The case version the user started typing on; null while nothing was typed. */
  private baseVersion: number | null = null;
  private restored = false;
  /** A refusal because the case moved: focus goes to what changed once it is shown. */
  private focusChanges = false;
  private changes: { from: number; to: number; events: CaseEvent[] | null } | null = null;

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
    this.changes = null;
    const draft = drafts.load(this.spec.id, this.caseId());
    this.restored = draft !== null;
    this.baseVersion = draft?.baseVersion ?? null;
    if (draft !== null) {
      this.defaults = { ...this.defaults, ...draft.values };
      for (const [name, count] of Object.entries(draft.rows))
        this.rowKeys.set(
          name,
          Array.from({ length: count }, () => this.nextKey++),
        );
    }
  }

  private caseId(): string | null {
    return this.current?.id ?? null;
  }

  /** Every control's value by full name, rows included, for the draft. */
  private collect(): Record<string, DraftValue> {
    const values: Record<string, DraftValue> = {};
    const visit = (fields: readonly FieldSpec[]) => {
      for (const spec of fields) {
        if (spec.kind === 'group') visit(spec.fields);
        else if (spec.kind === 'rows') {
          const count = this.rowKeys.get(spec.name)?.length ?? 0;
          for (let i = 0; i < count; i += 1)
            for (const child of spec.fields) {
              const name = `${spec.name}.${i}.${child.name}`;
              if (child.kind !== 'const') values[name] = this.read(name, child.kind);
            }
        } else if (spec.kind !== 'const') values[spec.name] = this.read(spec.name, spec.kind);
      }
    };
    visit(this.spec.fields);
    return values;
  }

  private saveDraft(): void {
    this.baseVersion ??= this.current?.version ?? null;
    const rows = Object.fromEntries([...this.rowKeys].map(([name, keys]) => [name, keys.length]));
    drafts.save(this.spec.id, this.caseId(), { values: this.collect(), rows, baseVersion: this.baseVersion });
  }

  private discard(): void {
    drafts.clear(this.spec.id, this.caseId());
    this.querySelector('form')?.reset();
    this.resetState();
    this.restored = false;
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('draft-discarded', { bubbles: true }));
  }

  /** The case moved past the version the user started from: what happened since. */
  private moved(): Moved | null {
    const current = this.current ?? null;
    if (current === null || this.baseVersion === null || current.version <= this.baseVersion) return null;
    const { from, to } = { from: this.baseVersion, to: current.version };
    if (this.changes?.from !== from || this.changes.to !== to) {
      this.changes = { from, to, events: null };
      void this.loadChanges(current.id, from, to);
    }
    return this.changes;
  }

  private async loadChanges(caseId: string, from: number, to: number): Promise<void> {
    try {
      const page = await this.ctx.client.get<Page<CaseEvent>>(`/v1/cases/${caseId}/events`, { limit: 1000 });
      const events = page.items.filter((e) => e.seq > from && e.seq <= to);
      await this.ctx.names.load(events.map((e) => e.actor.id));
      if (this.changes?.from === from && this.changes.to === to) this.changes = { from, to, events };
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      if (this.changes?.from === from && this.changes.to === to) this.changes = { from, to, events: [] };
    }
    this.requestUpdate();
    if (this.focusChanges) {
      this.focusChanges = false;
      await this.updateComplete;
      this.querySelector<HTMLElement>('[data-conflict]')?.focus();
    }
  }

  /** Sends the same input again, on the version the case is at now. */
  private retry(): void {
    this.baseVersion = this.current?.version ?? null;
    this.changes = null;
    this.saveDraft();
    this.querySelector('form')?.requestSubmit();
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
    if (this.markMissing()) return;
    const rowCounts = new Map([...this.rowKeys].map(([name, keys]) => [name, keys.length]));
    const { body, rowsSent } = buildBody(this.spec.fields, (name, kind) => this.read(name, kind), {
      timeZone: f.timeZone,
      rowCounts,
    });
    const current = this.current ?? null;
    if (current !== null) body.expectedVersion = this.baseVersion ?? current.version;
    const path = current === null ? COMMAND_PATHS.submit() : COMMAND_PATHS[this.spec.command](current.id);
    this.busy = true;
    this.errors = new Map();
    this.problem = null;
    this.requestUpdate();
    try {
      const result = await runCommand(this.ctx.client, path, body, { idempotencyKey: this.idempotencyKey });
      this.idempotencyKey = randomKey();
      drafts.clear(this.spec.id, current?.id ?? null);
      this.querySelector('form')?.reset();
      this.resetState();
      this.ctx.announce(t.forms[this.spec.id].done);
      this.dispatchEvent(new CustomEvent<Case>('applied', { detail: result, bubbles: true }));
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      // A stored-and-refused command holds its key: a corrected body needs a new one.
      if (error.code !== 'network') this.idempotencyKey = randomKey();
      this.saveDraft();
      this.showProblem(error, rowsSent);
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  /** Marks each required field left blank, sums them up above the form and moves focus there. */
  private markMissing(): boolean {
    const { t } = this.ctx;
    const missing = missingRequired(this.spec.fields, (name, kind) => this.read(name, kind));
    if (missing.length === 0) return false;
    this.errors = new Map(missing.map((name) => [name, t.fieldError.required]));
    const labels = missing.map((name) => (t.field as Record<string, string>)[name] ?? name);
    this.problem = {
      title: t.formCheck.title,
      detail: fill(t.formCheck.missing, { fields: labels.join(', ') }),
      requestId: null,
    };
    this.requestUpdate();
    void this.updateComplete.then(() => this.querySelector<HTMLElement>('.problem')?.focus());
    return true;
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
    if (error.code === 'version_conflict') {
      // The case is reloaded; the box of what changed, with the input kept, says the rest.
      this.problem = null;
      this.dispatchEvent(new CustomEvent('stale', { bubbles: true }));
      // Shown already (the change reached the page while typing): focus it now; else once loaded.
      if (this.changes?.events === null || this.changes === null) this.focusChanges = true;
      else void this.updateComplete.then(() => this.querySelector<HTMLElement>('[data-conflict]')?.focus());
      return;
    }
    void this.updateComplete.then(() => this.querySelector<HTMLElement>('[data-conflict], .problem')?.focus());
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
    const moved = this.moved();
    return html`<form class="command-form ${this.spec.danger ? 'command-form--danger' : ''}" novalidate
        aria-labelledby="${this.spec.id}-title" aria-busy=${this.busy ? 'true' : 'false'} @submit=${(e: SubmitEvent) => this.submit(e)}
        @input=${() => this.saveDraft()} @change=${() => this.saveDraft()}>
      ${
        // A compact form is named by what holds it (a summary, the page's heading): its title is
        // for screen readers only, and no heading, so that heading levels run in order.
        this.compact
          ? html`<span id="${this.spec.id}-title" class="visually-hidden">${copy.title}</span>`
          : html`<h3 id="${this.spec.id}-title">${copy.title}</h3>`
      }
      ${copy.intro === undefined ? nothing : html`<p class="form-intro">${copy.intro}</p>`}
      ${this.restored && moved === null && this.problem === null ? html`<p class="notice" data-restored>${t.conflict.restored}</p>` : nothing}
      ${moved === null ? nothing : conflictBox(this.ctx, moved, { retry: () => this.retry(), discard: () => this.discard() })}
      ${this.problem === null ? nothing : problemBox(this.problem, t)}
      ${renderFields(this.spec.fields, state)}
      <p class="form-actions">
        <button type="submit" class="button ${this.spec.danger ? 'button--danger' : 'button--primary'}" ?disabled=${this.busy}>
          ${this.busy ? t.form.sending : copy.submit}
        </button>
        ${
          this.baseVersion !== null && moved === null && this.current !== null
            ? html`<button type="button" class="button button--quiet" @click=${() => this.discard()}>${t.conflict.discard}</button>`
            : nothing
        }
      </p>
    </form>`;
  }
}
customElements.define('ct-command-form', CommandForm);
