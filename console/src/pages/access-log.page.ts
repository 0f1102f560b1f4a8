import { html, nothing, type PropertyValues } from 'lit';
import { href } from '../core/router.ts';
import type { Page } from '../core/types.ts';
import { describeProblem, fill } from '../i18n/problems.ts';
import { who } from '../ui/badges.ts';
import { ConsoleElement } from '../ui/element.ts';
import { load, type Loaded } from '../ui/loader.ts';
import { problemBox } from '../ui/problem-box.ts';

type Entry = { id: string; actorId: string; action: string; caseId: string | null; purpose: string | null; at: string };

/** Supervisor: who read which case, its events or its export, when and why (newest first). */
export class AccessLogPage extends ConsoleElement {
  static override properties = { query: { attribute: false } };
  declare query: URLSearchParams;
  private page: Loaded<Page<Entry>> = { state: 'loading' };

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('query')) void this.reload();
  }

  private filter(): { caseId?: string } {
    const caseId = this.query.get('caseId');
    return caseId === null || caseId === '' ? {} : { caseId };
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
    if (this.page.state === 'ready') await this.ctx.names.load(this.page.value.items.map((e) => e.actorId));
    this.requestUpdate();
  }

  override render() {
    const { t, f } = this.ctx;
    const page = this.page;
    const actions = t.accessLogPage.actions as Record<string, string>;
    const caseId = this.filter().caseId;
    return html`<section>
      <h1 tabindex="-1">${t.accessLogPage.title}</h1>
      <p>${t.accessLogPage.intro}</p>
      ${
        caseId === undefined
          ? nothing
          : html`<p class="notice">${fill(t.accessLogPage.forCase, { id: caseId.slice(0, 8) })}
        <a href=${href.accessLog()}>${t.accessLogPage.all}</a></p>`
      }
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
          <td data-label=${t.accessLogPage.who}>${who(e.actorId, this.ctx)}</td>
          <td data-label=${t.accessLogPage.action}>${actions[e.action] ?? e.action}</td>
          <td data-label=${t.accessLogPage.case}>${
            e.caseId === null
              ? '—'
              : html`<a href=${href.case(e.caseId)}>${e.caseId.slice(0, 8)}</a>
            <a class="muted" href=${href.accessLog({ caseId: e.caseId })}>${t.accessLogPage.only}</a>`
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
