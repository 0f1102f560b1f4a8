import { html, nothing, type PropertyValues } from 'lit';
import { OPEN_STAGES, OUTCOMES, STAGES } from '../../../src/domain/stages.ts';
import { href } from '../core/router.ts';
import { describeProblem, fill } from '../i18n/problems.ts';
import { ConsoleElement } from '../ui/element.ts';
import { load, type Loaded } from '../ui/loader.ts';
import { problemBox } from '../ui/problem-box.ts';
import { chartTable, stackedBars, type ChartInput } from '../ui/stacked-bars.ts';

type Counts<K extends string> = Record<K, number>;
type Stage = (typeof STAGES)[number];
type OpenStage = (typeof OPEN_STAGES)[number];
type Stats = {
  window: { days: number; from: string; to: string };
  cases: { total: number; byStage: Counts<Stage>; byOutcome: Counts<(typeof OUTCOMES)[number]> };
  sla: {
    overdue: { total: number; byStage: Counts<OpenStage> };
    breaches: { total: number; byStage: Counts<OpenStage> };
  };
  timeInStage: Record<OpenStage, { visits: number; medianSeconds: number | null; p90Seconds: number | null }>;
};
type History = { days: { day: string; byStage: Counts<Stage>; breaches: Counts<OpenStage> }[] };

const DAYS = 30;

/** Supervisor: where the cases are, how long they stay, and the deadlines missed. */
export class StatsPage extends ConsoleElement {
  private data: Loaded<[Stats, History]> = { state: 'loading' };

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated && changed.has('ctx')) void this.reload();
  }

  private async reload(): Promise<void> {
    const { client } = this.ctx;
    this.data = await load(() =>
      Promise.all([
        client.get<Stats>('/v1/stats', { days: DAYS }),
        client.get<History>('/v1/stats/stages', { days: DAYS }),
      ]),
    );
    this.requestUpdate();
  }

  private charts(history: History) {
    const { t, f } = this.ctx;
    const labels = history.days.map((d) => f.day(d.day));
    const stages: ChartInput = {
      id: 'chart-stages',
      title: t.statsPage.stagesChart,
      description: fill(t.statsPage.stagesChartDesc, { n: String(DAYS) }),
      labels,
      series: OPEN_STAGES.map((stage) => ({
        key: stage,
        label: t.stage[stage],
        values: history.days.map((d) => d.byStage[stage]),
      })),
      format: (n) => f.number(Math.round(n)),
    };
    const breaches: ChartInput = {
      id: 'chart-breaches',
      title: t.statsPage.breachesChart,
      description: fill(t.statsPage.breachesChartDesc, { n: String(DAYS) }),
      labels,
      series: OPEN_STAGES.map((stage) => ({
        key: stage,
        label: t.stage[stage],
        values: history.days.map((d) => d.breaches[stage]),
      })),
      format: (n) => f.number(Math.round(n)),
    };
    return html`<section class="card"><h2>${t.statsPage.stagesChart}</h2>${stackedBars(stages)}${chartTable(stages, t.statsPage.showTable, t.statsPage.day)}</section>
      <section class="card"><h2>${t.statsPage.breachesChart}</h2>${stackedBars(breaches)}${chartTable(breaches, t.statsPage.showTable, t.statsPage.day)}</section>`;
  }

  private tables(stats: Stats) {
    const { t, f } = this.ctx;
    const seconds = (value: number | null) => (value === null ? '—' : f.duration(value));
    return html`<section class="card"><h2>${t.statsPage.now}</h2>
        <ul class="tiles">
          <li><span class="count">${f.number(stats.cases.total)}</span> ${t.statsPage.total}</li>
          ${STAGES.map((stage) => html`<li><a href=${href.cases({ stage })}><span class="count">${f.number(stats.cases.byStage[stage])}</span> ${t.stage[stage]}</a></li>`)}
          <li class="tile--alert"><span class="count">${f.number(stats.sla.overdue.total)}</span> ${t.statsPage.overdue}</li>
        </ul></section>
      <section class="card"><h2>${t.statsPage.sla}</h2>
        <table><thead><tr><th scope="col">${t.statsPage.stage}</th><th scope="col">${t.statsPage.overdueNow}</th><th scope="col">${fill(t.statsPage.breachesIn, { n: String(stats.window.days) })}</th>
          <th scope="col">${t.statsPage.median}</th><th scope="col">${t.statsPage.p90}</th><th scope="col">${t.statsPage.visits}</th></tr></thead>
          <tbody>${OPEN_STAGES.map(
            (stage) => html`<tr><th scope="row">${t.stage[stage]}</th>
            <td>${f.number(stats.sla.overdue.byStage[stage])}</td><td>${f.number(stats.sla.breaches.byStage[stage])}</td>
            <td>${seconds(stats.timeInStage[stage].medianSeconds)}</td><td>${seconds(stats.timeInStage[stage].p90Seconds)}</td>
            <td>${f.number(stats.timeInStage[stage].visits)}</td></tr>`,
          )}</tbody></table></section>
      <section class="card"><h2>${t.statsPage.outcomes}</h2>
        <table><thead><tr><th scope="col">${t.statsPage.outcome}</th><th scope="col">${t.statsPage.cases}</th></tr></thead>
          <tbody>${OUTCOMES.map((o) => html`<tr><th scope="row">${t.outcome[o]}</th><td>${f.number(stats.cases.byOutcome[o])}</td></tr>`)}</tbody></table></section>`;
  }

  override render() {
    const { t, f } = this.ctx;
    const data = this.data;
    return html`<section class="stats">
      <h1 tabindex="-1">${t.statsPage.title}</h1>
      ${data.state === 'loading' ? html`<p class="loading">${t.app.loading}</p>` : nothing}
      ${data.state === 'failed' ? problemBox(describeProblem(data.problem, t, f), t) : nothing}
      ${
        data.state === 'ready'
          ? html`<p class="muted">${fill(t.statsPage.window, { from: f.dateTime(data.value[0].window.from), to: f.dateTime(data.value[0].window.to) })}</p>
        ${this.tables(data.value[0])}${this.charts(data.value[1])}`
          : nothing
      }
    </section>`;
  }
}
customElements.define('ct-stats-page', StatsPage);
