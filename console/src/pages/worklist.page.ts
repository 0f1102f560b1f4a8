import { html, nothing, type PropertyValues } from 'lit';
import { ApiProblem } from '../core/api-client.ts';
import { COMMAND_PATHS, runCommand } from '../core/commands.ts';
import { hasRole } from '../core/context.ts';
import { href } from '../core/router.ts';
import type { Case, Page } from '../core/types.ts';
import { describeProblem, fill, type ShownProblem } from '../i18n/problems.ts';
import { priorityBadge, slaBadge, who } from '../ui/badges.ts';
import { ConsoleElement } from '../ui/element.ts';
import { liveList } from '../ui/live-list.ts';
import { load, type Loaded } from '../ui/loader.ts';
import { problemBox } from '../ui/problem-box.ts';

/** Verifier: received cases to verify, most urgent and oldest first, each claimable in place. */
export class WorklistPage extends ConsoleElement {
  private page: Loaded<Page<Case>> = { state: 'loading' };
  private claiming: string | null = null;
  private problem: ShownProblem | null = null;

  constructor() {
    super();
    liveList(this, () => this.reload());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated && changed.has('ctx')) void this.reload();
  }

  private async reload(): Promise<void> {
    this.page = await load(() => this.ctx.client.get<Page<Case>>('/v1/worklists/verification', { limit: 100 }));
    if (this.page.state === 'ready') {
      const ids = this.page.value.items.flatMap((c) => (c.claimedBy === undefined ? [] : [c.claimedBy]));
      void this.ctx.names.load(ids).then(() => this.requestUpdate());
    }
    this.requestUpdate();
  }

  private async claim(c: Case): Promise<void> {
    this.claiming = c.id;
    this.problem = null;
    this.requestUpdate();
    try {
      const claimed = await runCommand(this.ctx.client, COMMAND_PATHS.claim(c.id), { expectedVersion: c.version });
      this.ctx.announce(fill(this.ctx.t.worklistPage.claimed, { reference: claimed.reference }), {
        forNextPage: true,
      });
      this.ctx.navigate(href.case(c.id));
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
      await this.reload();
    } finally {
      this.claiming = null;
      this.requestUpdate();
    }
  }

  private claimState(c: Case) {
    const { t, f, me } = this.ctx;
    if (c.claimedBy === undefined || c.claimedUntil === undefined || Date.parse(c.claimedUntil) < Date.now()) {
      return html`<span class="muted">${t.worklistPage.unclaimed}</span>`;
    }
    const text = fill(c.claimedBy === me.id ? t.worklistPage.claimedByYou : t.worklistPage.claimedBy, {
      who: who(c.claimedBy, this.ctx),
      until: f.dateTime(c.claimedUntil),
    });
    return html`<span>${text}</span>`;
  }

  private row(c: Case) {
    const { t, f, me } = this.ctx;
    const held = c.claimedBy !== undefined && c.claimedUntil !== undefined && Date.parse(c.claimedUntil) > Date.now();
    const mine = held && c.claimedBy === me.id;
    // A supervisor sees every received case; they claim only as a verifier, and not their own.
    const claimable = !mine && !held && hasRole(me, 'verifier') && c.submittedBy !== me.id;
    return html`<tr>
      <th scope="row" data-label=${t.casesPage.col.reference}><a href=${href.case(c.id)}>${c.reference}</a></th>
      <td data-label=${t.casesPage.col.claim} class="claim-cell"><span class="clamp" title=${c.claim}>${c.claim}</span></td>
      <td data-label=${t.casesPage.col.priority}>${priorityBadge(c.priority, t)}</td>
      <td data-label=${t.worklistPage.age}><time datetime=${c.createdAt} title=${f.dateTime(c.createdAt)}>${f.relative(c.createdAt)}</time></td>
      <td data-label=${t.casesPage.col.sla}>${slaBadge(c, t, f)}</td>
      <td data-label=${t.worklistPage.claim}>${this.claimState(c)}</td>
      <td data-label=${t.worklistPage.action}>${
        !claimable
          ? html`<a class="button button--secondary" href=${href.case(c.id)}>${t.worklistPage.open}<span class="visually-hidden"> ${c.reference}</span></a>`
          : html`<button type="button" class="button button--primary" ?disabled=${this.claiming !== null} @click=${() => this.claim(c)}>
            ${this.claiming === c.id ? t.form.sending : t.worklistPage.claimAction}<span class="visually-hidden"> ${c.reference}</span></button>`
      }</td>
    </tr>`;
  }

  override render() {
    const { t, f } = this.ctx;
    const page = this.page;
    return html`<section>
      <h1 tabindex="-1">${t.worklistPage.title}</h1>
      <p>${t.worklistPage.intro}</p>
      ${this.problem === null ? nothing : problemBox(this.problem, t)}
      ${page.state === 'loading' ? html`<p class="loading">${t.app.loading}</p>` : nothing}
      ${page.state === 'failed' ? problemBox(describeProblem(page.problem, t, f), t) : nothing}
      ${page.state === 'ready' && page.value.items.length === 0 ? html`<p class="empty">${t.worklistPage.empty}</p>` : nothing}
      ${
        page.state === 'ready' && page.value.items.length > 0
          ? html`<table class="cases worklist">
        <caption class="visually-hidden">${t.worklistPage.title}</caption>
        <thead><tr><th scope="col">${t.casesPage.col.reference}</th><th scope="col">${t.casesPage.col.claim}</th>
          <th scope="col">${t.casesPage.col.priority}</th><th scope="col">${t.worklistPage.age}</th><th scope="col">${t.casesPage.col.sla}</th>
          <th scope="col">${t.worklistPage.claim}</th><th scope="col"><span class="visually-hidden">${t.worklistPage.action}</span></th></tr></thead>
        <tbody>${page.value.items.map((c) => this.row(c))}</tbody>
      </table>`
          : nothing
      }
    </section>`;
  }
}
customElements.define('ct-worklist-page', WorklistPage);
