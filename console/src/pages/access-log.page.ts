import { html, nothing, type PropertyValues } from 'lit';
import { href } from '../core/router.ts';
import type { Page } from '../core/types.ts';
import { describeProblem, fill } from '../i18n/problems.ts';
import { fromZonedInput, toZonedInput } from '../i18n/zoned-time.ts';
import { who } from '../ui/badges.ts';
import { ConsoleElement } from '../ui/element.ts';
import { load, type Loaded } from '../ui/loader.ts';
import { problemBox } from '../ui/problem-box.ts';

type Entry = {
  id: string;
  actorId: string;
  action: string;
  caseId: string | null;
  caseReference: string | null;
  purpose: string | null;
  at: string;
};

const FILTERS = ['caseId', 'actorId', 'from', 'to'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

const DAY_MS = 86_400_000;

/** Supervisor: who read which case, its events or its export, when and why (newest first), by person, case and day. */
export class AccessLogPage extends ConsoleElement {
  static override properties = { query: { attribute: false } };
  declare query: URLSearchParams;
  private page: Loaded<Page<Entry>> = { state: 'loading' };
  private dayError: string | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('query')) void this.reload();
  }

  private filter(): Filters {
    const chosen: Filters = {};
    for (const key of FILTERS) {
      const value = this.query.get(key);
      if (value !== null && value !== '') chosen[key] = value;
    }
    return chosen;
  }

  private async reload(cursor?: string): Promise<void> {
    const previous = cursor !== undefined && this.page.state === 'ready' ? this.page.value.items : [];
    const next = await load(() =>
      this.ctx.client.get<Page<Entry>>('/v1/audit/access-log', { ...this.filter(), limit: 100, cursor }),
    );
    this.page =
      next.state === 'ready'
        ? { state: 'ready', value: { items: [...previous, ...next.value.items], nextCursor: next.value.nextCursor } }
        : next;
    const actorId = this.filter().actorId;
    if (this.page.state === 'ready')
      await this.ctx.names.load([
        ...this.page.value.items.map((e) => e.actorId),
        ...(actorId === undefined ? [] : [actorId]),
      ]);
    this.requestUpdate();
  }

  /** Days typed dd/mm/yyyy in the user's zone: from its midnight, to the end of the "to" day. */
  private applyDays(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const zone = this.ctx.f.timeZone;
    const day = (name: string) => {
      const text = String(data.get(name) ?? '').trim();
      return text === '' ? undefined : (fromZonedInput(text, zone) ?? null);
    };
    const [from, to] = [day('from'), day('to')];
    if (from === null || to === null) {
      this.dayError = this.ctx.t.accessFilter.badDay;
      this.requestUpdate();
      void this.updateComplete.then(() => this.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    this.dayError = null;
    const end = to === undefined ? undefined : new Date(Date.parse(to) + DAY_MS).toISOString();
    this.ctx.navigate(href.accessLog({ ...this.filter(), from, to: end }));
  }

  private filters() {
    const { t, f } = this.ctx;
    const chosen = this.filter();
    const zone = f.zoneName();
    const shown = (iso: string | undefined, back = 0) =>
      iso === undefined ? '' : toZonedInput(new Date(Date.parse(iso) - back).toISOString(), f.timeZone).slice(0, 10);
    const invalid = this.dayError === null ? 'false' : 'true';
    return html`<form class="filters" aria-label=${t.accessFilter.label} @submit=${(e: SubmitEvent) => this.applyDays(e)}>
      <div class="field"><label for="log-from">${t.accessFilter.from}</label>
        <input id="log-from" name="from" type="text" class="input--date" placeholder="dd/mm/yyyy" autocomplete="off"
          value=${shown(chosen.from)} aria-invalid=${invalid} aria-describedby="log-day-hint${this.dayError === null ? '' : ' log-day-error'}"></div>
      <div class="field"><label for="log-to">${t.accessFilter.to}</label>
        <input id="log-to" name="to" type="text" class="input--date" placeholder="dd/mm/yyyy" autocomplete="off"
          value=${shown(chosen.to, DAY_MS)} aria-invalid=${invalid} aria-describedby="log-day-hint${this.dayError === null ? '' : ' log-day-error'}"></div>
      <p class="field-hint" id="log-day-hint">${fill(t.accessFilter.dayHint, { zone })}</p>
      ${this.dayError === null ? nothing : html`<p class="field-error" id="log-day-error">${this.dayError}</p>`}
      <p class="form-actions"><button class="button button--primary" type="submit">${t.accessFilter.apply}</button>
        <a class="button button--quiet" href=${href.accessLog()}>${t.accessLogPage.all}</a></p>
    </form>`;
  }

  override render() {
    const { t, f } = this.ctx;
    const page = this.page;
    const actions = t.accessLogPage.actions as Record<string, string>;
    const { caseId, actorId } = this.filter();
    const reference =
      page.state === 'ready' ? page.value.items.find((e) => e.caseId === caseId)?.caseReference : undefined;
    return html`<section>
      <h1 tabindex="-1">${t.accessLogPage.title}</h1>
      <p>${t.accessLogPage.intro}</p>
      ${
        caseId === undefined
          ? nothing
          : html`<p class="notice">${fill(t.accessLogPage.forCase, { id: reference ?? caseId })}
        <a href=${href.accessLog({ ...this.filter(), caseId: undefined })}>${t.accessLogPage.all}</a></p>`
      }
      ${
        actorId === undefined
          ? nothing
          : html`<p class="notice">${fill(t.accessFilter.forPerson, { who: who(actorId, this.ctx) })}
        <a href=${href.accessLog({ ...this.filter(), actorId: undefined })}>${t.accessLogPage.all}</a></p>`
      }
      ${this.filters()}
      ${page.state === 'loading' ? html`<p class="loading">${t.app.loading}</p>` : nothing}
      ${page.state === 'failed' ? problemBox(describeProblem(page.problem, t, f), t) : nothing}
      ${page.state === 'ready' && page.value.items.length === 0 ? html`<p class="empty">${t.accessLogPage.empty}</p>` : nothing}
      ${
        page.state === 'ready' && page.value.items.length > 0
          ? html`<table class="cases access-log">
        <caption class="visually-hidden">${t.accessLogPage.title}</caption>
        <thead><tr><th scope="col">${t.accessLogPage.at}</th><th scope="col">${t.accessLogPage.who}</th><th scope="col">${t.accessLogPage.action}</th>
          <th scope="col">${t.accessLogPage.case}</th><th scope="col">${t.accessLogPage.purpose}</th></tr></thead>
        <tbody>${page.value.items.map(
          (e) => html`<tr>
          <td data-label=${t.accessLogPage.at}><time datetime=${e.at}>${f.dateTimeSeconds(e.at)}</time></td>
          <td data-label=${t.accessLogPage.who}>${who(e.actorId, this.ctx)}
            <a class="muted" href=${href.accessLog({ ...this.filter(), actorId: e.actorId })}>${t.accessFilter.onlyPerson}</a></td>
          <td data-label=${t.accessLogPage.action}>${actions[e.action] ?? e.action}</td>
          <td data-label=${t.accessLogPage.case}>${
            e.caseId === null
              ? '—'
              : html`<a href=${href.case(e.caseId)}>${e.caseReference ?? e.caseId}</a>
            <a class="muted" href=${href.accessLog({ ...this.filter(), caseId: e.caseId })}>${t.accessLogPage.only}</a>`
          }</td>
          <td data-label=${t.accessLogPage.purpose}>${e.purpose ?? '—'}</td>
        </tr>`,
        )}</tbody></table>
        ${
          page.value.nextCursor === null
            ? nothing
            : html`<p><button class="button button--secondary" type="button"
          @click=${() => this.reload(page.value.nextCursor ?? undefined)}>${t.casesPage.more}</button></p>`
        }`
          : nothing
      }
    </section>`;
  }
}
customElements.define('ct-access-log-page', AccessLogPage);
