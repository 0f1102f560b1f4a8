import { html, nothing, type PropertyValues } from 'lit';
import type { Workload } from '../core/types.ts';
import { describeProblem, fill } from '../i18n/problems.ts';
import { ConsoleElement } from '../ui/element.ts';
import { load, type Loaded } from '../ui/loader.ts';
import { problemBox } from '../ui/problem-box.ts';

const AGES = ['underHour', 'underDay', 'underThreeDays', 'older'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;

/** Supervisor: who carries what, and the received cases nobody has taken (GET /v1/workload). */
export class WorkloadPage extends ConsoleElement {
  private workload: Loaded<Workload> = { state: 'loading' };

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated && changed.has('ctx')) void this.reload();
  }

  private async reload(): Promise<void> {
    this.workload = await load(() => this.ctx.client.get<Workload>('/v1/workload'));
    this.requestUpdate();
  }

  private verifiers(w: Workload) {
    const { t, f } = this.ctx;
    const p = t.workloadPage;
    return html`<table class="cases workload">
      <caption>${p.verifiers}</caption>
      <thead><tr><th scope="col">${p.verifier}</th><th scope="col">${p.openClaims}</th><th scope="col">${p.verdicts7d}</th>
        <th scope="col">${p.verdicts30d}</th><th scope="col">${p.median}</th></tr></thead>
      <tbody>${w.verifiers.map(
        (v) => html`<tr>
        <th scope="row" data-label=${p.verifier}>${v.name}${v.disabled ? html` <span class="muted">(${p.disabled})</span>` : nothing}</th>
        <td data-label=${p.openClaims}>${f.number(v.openClaims)}</td>
        <td data-label=${p.verdicts7d}>${f.number(v.verdicts7d)}</td>
        <td data-label=${p.verdicts30d}>${f.number(v.verdicts30d)}</td>
        <td data-label=${p.median}>${v.medianSecondsToVerdict === null ? p.none : f.duration(v.medianSecondsToVerdict)}</td>
      </tr>`,
      )}</tbody>
    </table>`;
  }

  private backlog(w: Workload) {
    const { t, f } = this.ctx;
    const p = t.workloadPage;
    return html`<table class="cases backlog">
      <caption>${p.backlog}</caption>
      <thead><tr><th scope="col">${p.priority}</th>${AGES.map((a) => html`<th scope="col">${p.age[a]}</th>`)}<th scope="col">${p.total}</th></tr></thead>
      <tbody>${PRIORITIES.map((priority) => {
        const band = w.backlog.byPriority[priority];
        return html`<tr><th scope="row" data-label=${p.priority}>${t.priority[priority]}</th>
          ${AGES.map((a) => html`<td data-label=${p.age[a]}>${f.number(band?.byAge[a] ?? 0)}</td>`)}
          <td data-label=${p.total}>${f.number(band?.total ?? 0)}</td></tr>`;
      })}</tbody>
    </table>
    <p>${fill(p.backlogTotal, { n: f.number(w.backlog.total) })}
      ${w.backlog.oldestReceivedAt === null ? nothing : fill(p.oldest, { when: f.dateTime(w.backlog.oldestReceivedAt) })}</p>`;
  }

  override render() {
    const { t, f } = this.ctx;
    const w = this.workload;
    return html`<section>
      <h1 tabindex="-1">${t.workloadPage.title}</h1>
      <p>${t.workloadPage.intro}</p>
      ${w.state === 'loading' ? html`<p class="loading">${t.app.loading}</p>` : nothing}
      ${w.state === 'failed' ? problemBox(describeProblem(w.problem, t, f), t) : nothing}
      ${w.state === 'ready' ? html`${this.verifiers(w.value)}${this.backlog(w.value)}` : nothing}
    </section>`;
  }
}
customElements.define('ct-workload-page', WorkloadPage);
