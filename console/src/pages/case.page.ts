import { html, nothing, type PropertyValues } from 'lit';
import { ApiProblem } from '../core/api-client.ts';
import { COMMAND_PATHS, runCommand } from '../core/commands.ts';
import { hasRole } from '../core/context.ts';
import { watchChanges, type Watch } from '../core/live.ts';
import { href } from '../core/router.ts';
import type { Case } from '../core/types.ts';
import { describeProblem, fill, type ShownProblem } from '../i18n/problems.ts';
import { DATE_TIME_PATTERN, fromZonedInput, toZonedInput } from '../i18n/zoned-time.ts';
import { availableActions, renderActions, withDrafts } from '../ui/case-actions.ts';
import { actorIds, caseDetails } from '../ui/case-details.ts';
import { ConsoleElement } from '../ui/element.ts';
import { load, type Loaded } from '../ui/loader.ts';
import { problemBox } from '../ui/problem-box.ts';
import '../ui/assign-control.ts';
import '../ui/case-files.ts';
import '../ui/case-topics.ts';
import '../ui/timeline.ts';

/** One case: its details, what the user may do next, the audit trail, time travel and export. */
export class CasePage extends ConsoleElement {
  static override properties = { caseId: {}, asOf: {} };
  declare caseId: string;
  /** Set: the case as it stood at this moment (read-only). */
  declare asOf: string | null;
  private current: Loaded<Case> = { state: 'loading' };
  private claiming = false;
  private problem: ShownProblem | null = null;
  private exporting = false;
  private toolErrors = new Map<string, string>();

  private watch: Watch | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('caseId') || changed.has('asOf')) {
      void this.reload();
      this.follow();
    }
  }

  /** The page follows the case as others change it (Server-Sent Events); not in time travel. */
  private follow(): void {
    this.watch?.stop();
    this.watch =
      this.asOf === null
        ? watchChanges(this.ctx.client, `/v1/cases/${this.caseId}/changes`, {
            onChange: (change) => {
              const shown = this.current.state === 'ready' ? this.current.value.version : 0;
              if (change.caseId === this.caseId && change.version > shown) void this.reload();
            },
            onResync: () => void this.reload(),
          })
        : null;
  }

  override disconnectedCallback(): void {
    this.watch?.stop();
    this.watch = null;
    super.disconnectedCallback();
  }

  private async reload(): Promise<void> {
    this.current = await load(() =>
      this.ctx.client.get<Case>(`/v1/cases/${this.caseId}`, { asOf: this.asOf ?? undefined }),
    );
    if (this.current.state === 'ready') await this.ctx.names.load(actorIds(this.current.value));
    this.requestUpdate();
    // The loading heading that had the focus is gone: the case's own heading takes it.
    await this.updateComplete;
    if (document.activeElement === document.body) this.querySelector<HTMLElement>('h1')?.focus();
  }

  private applied(event: CustomEvent<Case>): void {
    this.current = { state: 'ready', value: event.detail };
    this.problem = null;
    void this.ctx.names.load(actorIds(event.detail)).then(() => this.requestUpdate());
    this.requestUpdate();
    void this.updateComplete.then(() => this.querySelector<HTMLElement>('h1')?.focus());
  }

  private async claim(c: Case): Promise<void> {
    this.claiming = true;
    this.problem = null;
    this.requestUpdate();
    try {
      const claimed = await runCommand(this.ctx.client, COMMAND_PATHS.claim(c.id), { expectedVersion: c.version });
      this.ctx.announce(fill(this.ctx.t.worklistPage.claimed, { reference: claimed.reference }));
      this.current = { state: 'ready', value: claimed };
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
      await this.reload();
    } finally {
      this.claiming = false;
      this.requestUpdate();
    }
  }

  /** The export hands the case out of casetrail: its purpose is asked for and recorded in the access log. */
  private async exportBundle(event: SubmitEvent, c: Case): Promise<void> {
    event.preventDefault();
    const purpose = String(new FormData(event.target as HTMLFormElement).get('purpose') ?? '').trim();
    this.toolErrors = new Map(purpose === '' ? [['export-purpose', this.ctx.t.fieldError.required]] : []);
    if (purpose === '') {
      this.requestUpdate();
      void this.updateComplete.then(() => this.querySelector<HTMLElement>('#export-purpose')?.focus());
      return;
    }
    this.exporting = true;
    this.problem = null;
    this.requestUpdate();
    try {
      const blob = await this.ctx.client.blob(`/v1/cases/${c.id}/export?${new URLSearchParams({ purpose })}`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `${c.reference}.casetrail-bundle.json`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.ctx.announce(fill(this.ctx.t.casePage.exported, { reference: c.reference }));
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
    } finally {
      this.exporting = false;
      this.requestUpdate();
    }
  }

  private travel(event: SubmitEvent): void {
    event.preventDefault();
    const value = new FormData(event.target as HTMLFormElement).get('asOf');
    const iso = typeof value === 'string' ? fromZonedInput(value, this.ctx.f.timeZone) : null;
    this.toolErrors = new Map(iso === null ? [['as-of', this.ctx.t.fieldError.dateTime]] : []);
    this.requestUpdate();
    if (iso !== null) this.ctx.navigate(href.case(this.caseId, iso));
    else void this.updateComplete.then(() => this.querySelector<HTMLElement>('#as-of')?.focus());
  }

  /** A field of the audit tools, with its error next to it. */
  private toolField(id: string, label: string, hint: string, input: (described: string, invalid: boolean) => unknown) {
    const error = this.toolErrors.get(id);
    const described = error === undefined ? `${id}-hint` : `${id}-error ${id}-hint`;
    return html`<div class="field ${error === undefined ? '' : 'field--invalid'}"><label for=${id}>${label}</label>
      ${input(described, error !== undefined)}
      <p class="field-hint" id="${id}-hint">${hint}</p>
      ${error === undefined ? nothing : html`<p class="field-error" id="${id}-error">${error}</p>`}</div>`;
  }

  private tools(c: Case) {
    const { t, f } = this.ctx;
    return html`<section class="card tools" aria-labelledby="tools-title">
      <h2 id="tools-title">${t.casePage.tools}</h2>
      <form class="time-travel" novalidate @submit=${(e: SubmitEvent) => this.travel(e)}>
        ${this.toolField(
          'as-of',
          t.casePage.asOfLabel,
          fill(t.casePage.asOfHint, { zone: f.zoneName() }),
          (
            described,
            invalid,
          ) => html`<input id="as-of" name="asOf" type="text" required autocomplete="off" spellcheck="false"
            class="input--date-time" placeholder=${DATE_TIME_PATTERN} value=${toZonedInput(this.asOf ?? new Date().toISOString(), f.timeZone)}
            aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${described}>`,
        )}
        <p class="form-actions"><button class="button button--secondary" type="submit">${t.casePage.asOfShow}</button></p>
      </form>
      <form class="export" novalidate @submit=${(e: SubmitEvent) => this.exportBundle(e, c)}>
        ${this.toolField(
          'export-purpose',
          t.casePage.exportPurpose,
          t.casePage.exportPurposeHint,
          (
            described,
            invalid,
          ) => html`<input id="export-purpose" name="purpose" type="text" maxlength="200" autocomplete="off"
            aria-required="true" aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${described}>`,
        )}
        <p class="form-actions"><button class="button button--secondary" type="submit" ?disabled=${this.exporting}>
          ${this.exporting ? t.form.sending : t.casePage.export}</button></p>
      </form>
    </section>`;
  }

  override render() {
    const { t, f, me } = this.ctx;
    const current = this.current;
    if (current.state === 'loading')
      return html`<h1 tabindex="-1">${t.casePage.title}</h1><p class="loading">${t.app.loading}</p>`;
    if (current.state === 'failed') {
      const notFound = current.problem.code === 'not_found';
      if (notFound && this.asOf !== null && /did not exist yet/u.test(current.problem.detail))
        return html`<h1 tabindex="-1">${t.casePage.notYetTitle}</h1>
          <p class="notice" data-problem="not_yet">${fill(t.casePage.notYet, { when: f.dateTime(this.asOf) })}</p>
          <p><a class="button button--secondary" href=${href.case(this.caseId)}>${t.casePage.asOfBack}</a></p>`;
      return html`<h1 tabindex="-1">${notFound ? t.casePage.notFoundTitle : t.casePage.title}</h1>
        ${notFound ? html`<p class="notice" data-problem="not_found">${t.casePage.notFound}</p>` : problemBox(describeProblem(current.problem, t, f), t)}
        <p><a href=${href.cases()}>${t.casePage.back}</a></p>`;
    }
    const c = current.value;
    const supervisor = hasRole(me, 'supervisor');
    return html`<article class="case-page" @applied=${(e: CustomEvent<Case>) => this.applied(e)} @stale=${() => this.reload()} @draft-discarded=${() => this.requestUpdate()}>
      <p class="breadcrumb"><a href=${href.cases()}>${t.casePage.back}</a>
        <button type="button" class="button button--quiet button--small print-button" @click=${() => window.print()}>${t.casePage.print}</button></p>
      <h1 tabindex="-1">${fill(t.casePage.heading, { reference: c.reference })}</h1>
      ${
        this.asOf === null
          ? nothing
          : html`<div class="as-of-banner" role="status">
        <p>${fill(t.casePage.asOfBanner, { when: f.dateTime(this.asOf) })}</p>
        <a class="button button--secondary" href=${href.case(c.id)}>${t.casePage.asOfBack}</a></div>`
      }
      ${this.problem === null ? nothing : problemBox(this.problem, t)}
      ${caseDetails(this.ctx, c)}
      ${
        this.asOf === null && supervisor && c.stage === 'received'
          ? html`<ct-assign-control .ctx=${this.ctx} .kase=${c}></ct-assign-control>`
          : nothing
      }
      ${this.asOf === null ? renderActions(this.ctx, c, withDrafts(availableActions(c, me), c.id), { busy: this.claiming, run: () => void this.claim(c) }) : nothing}
      ${this.asOf === null ? html`<ct-case-topics .ctx=${this.ctx} .kase=${c}></ct-case-topics>` : nothing}
      ${this.asOf === null ? html`<ct-case-files .ctx=${this.ctx} .kase=${c} .version=${c.version}></ct-case-files>` : nothing}
      ${supervisor ? this.tools(c) : nothing}
      <ct-timeline .ctx=${this.ctx} .caseId=${c.id} .version=${this.asOf === null ? c.version : 0} .asOf=${this.asOf}></ct-timeline>
    </article>`;
  }
}
customElements.define('ct-case-page', CasePage);
