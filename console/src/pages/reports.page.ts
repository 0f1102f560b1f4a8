import { html, nothing, type PropertyValues } from 'lit';
import type { SummaryReport } from '../../../src/app/reports.ts';
import { href } from '../core/router.ts';
import { describeProblem, fill } from '../i18n/problems.ts';
import { ConsoleElement } from '../ui/element.ts';
import { dayFromInput, dayToInput } from '../i18n/zoned-time.ts';
import { load, type Loaded } from '../ui/loader.ts';
import { problemBox } from '../ui/problem-box.ts';
import { chartTable, stackedBars, type ChartInput } from '../ui/stacked-bars.ts';

const ZONE = 'Asia/Ho_Chi_Minh';

/** The month that holds today in Vietnam, as its first and last day. */
function thisMonth(): { from: string; to: string } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date());
  return monthOf(today.slice(0, 7));
}

function monthOf(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** Supervisor: the report for superiors, for a month or a range, on screen, on paper (A4) and as files. */
export class ReportsPage extends ConsoleElement {
  static override properties = { query: { attribute: false } };
  declare query: URLSearchParams;
  private data: Loaded<SummaryReport> = { state: 'loading' };
  private period = thisMonth();
  /** A day of the range that is not one (dd/mm/yyyy expected): the form says so and stays. */
  private dayError: string | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('query')) {
      const from = this.query.get('from');
      const to = this.query.get('to');
      this.period = from !== null && to !== null ? { from, to } : thisMonth();
      void this.reload();
    }
  }

  private async reload(): Promise<void> {
    this.data = { state: 'loading' };
    this.requestUpdate();
    this.data = await load(() => this.ctx.client.get<SummaryReport>('/v1/reports/summary', this.period));
    this.requestUpdate();
  }

  private pickMonth(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    if (/^\d{4}-\d{2}$/u.test(value)) this.ctx.navigate(href.reports(monthOf(value)));
  }

  /** The days are typed dd/mm/yyyy, whatever the browser's language (its date picker would follow it). */
  private pickRange(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const from = dayFromInput(String(data.get('from') ?? ''));
    const to = dayFromInput(String(data.get('to') ?? ''));
    if (from === null || to === null) {
      this.dayError = this.ctx.t.accessFilter.badDay;
      this.requestUpdate();
      void this.updateComplete.then(() => this.querySelector<HTMLElement>('#report-from')?.focus());
      return;
    }
    this.dayError = null;
    this.ctx.navigate(href.reports({ from, to }));
  }

  /** The last 24 months, newest first, as yyyy-mm: the month picker's choices, shown mm/yyyy. */
  private months(): string[] {
    const [y, m] = thisMonth().from.split('-').map(Number) as [number, number];
    return Array.from({ length: 24 }, (_, back) => {
      const d = new Date(Date.UTC(y, m - 1 - back, 1));
      return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    });
  }

  private async download(format: 'csv' | 'xlsx'): Promise<void> {
    const { from, to } = this.period;
    // The headings of the file in the console's language (the shell sets the document's).
    const lang = document.documentElement.lang === 'vi' ? 'vi' : 'en';
    const blob = await this.ctx.client.blob(`/v1/reports/summary?from=${from}&to=${to}&format=${format}&lang=${lang}`);
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `casetrail-report-${from}-${to}.${format}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  }

  private controls() {
    const { t } = this.ctx;
    const { from, to } = this.period;
    return html`<div class="report-controls no-print">
      <div class="field"><label for="report-month">${t.reportsPage.month}</label>
        <select id="report-month" @change=${(e: Event) => this.pickMonth(e)}>
          ${this.months().map((month) => html`<option value=${month} ?selected=${from === monthOf(month).from && to === monthOf(month).to}>${month.slice(5)}/${month.slice(0, 4)}</option>`)}
        </select></div>
      <form class="filters" @submit=${(e: SubmitEvent) => this.pickRange(e)}>
        <div class="field"><label for="report-from">${t.reportsPage.from}</label><input id="report-from" name="from" type="text" class="input--date" placeholder="dd/mm/yyyy" autocomplete="off" .value=${dayToInput(from)} required aria-invalid=${this.dayError === null ? 'false' : 'true'} aria-describedby=${this.dayError === null ? nothing : 'report-day-error'}></div>
        <div class="field"><label for="report-to">${t.reportsPage.to}</label><input id="report-to" name="to" type="text" class="input--date" placeholder="dd/mm/yyyy" autocomplete="off" .value=${dayToInput(to)} required aria-invalid=${this.dayError === null ? 'false' : 'true'} aria-describedby=${this.dayError === null ? nothing : 'report-day-error'}></div>
        ${this.dayError === null ? nothing : html`<p class="field-error" id="report-day-error">${this.dayError}</p>`}
        <p class="form-actions"><button class="button button--primary" type="submit">${t.reportsPage.show}</button></p>
      </form>
      <p class="form-actions">
        <button class="button button--secondary" type="button" data-download="csv" @click=${() => this.download('csv')}>${t.reportsPage.csv}</button>
        <button class="button button--secondary" type="button" data-download="xlsx" @click=${() => this.download('xlsx')}>${t.reportsPage.xlsx}</button>
        <button class="button button--quiet" type="button" @click=${() => window.print()}>${t.reportsPage.print}</button>
      </p></div>`;
  }

  private countsTable(title: string, first: string, rows: [string, number][]) {
    const { t, f } = this.ctx;
    return html`<section class="card report-table"><h2>${title}</h2>
      ${
        rows.length === 0
          ? html`<p class="empty">${t.reportsPage.none}</p>`
          : html`<table><thead><tr><th scope="col">${first}</th><th scope="col">${t.reportsPage.cases}</th></tr></thead>
        <tbody>${rows.map(([label, n]) => html`<tr><th scope="row">${label}</th><td>${f.number(n)}</td></tr>`)}</tbody></table>`
      }</section>`;
  }

  private chart(id: string, title: string, rows: [string, number][]) {
    const { t, f } = this.ctx;
    const input: ChartInput = {
      id,
      title,
      description: title,
      labels: rows.map(([label]) => label),
      series: [{ key: 'received', label: t.reportsPage.cases, values: rows.map(([, n]) => n) }],
      format: (n) => f.number(Math.round(n)),
    };
    return html`<section class="card report-chart"><h2>${title}</h2>${stackedBars(input)}${chartTable(input, t.statsPage.showTable, title)}</section>`;
  }

  private report(r: SummaryReport) {
    const { t, f } = this.ctx;
    const p = t.reportsPage;
    const hours = (seconds: number | null) => (seconds === null ? '—' : f.duration(seconds));
    const platforms = Object.entries(r.byPlatform).map(([k, n]): [string, number] => [
      t.platform[k as keyof typeof t.platform] ?? k,
      n,
    ]);
    const categories = Object.entries(r.byCategory).map(([k, n]): [string, number] => [
      t.category[k as keyof typeof t.category] ?? k,
      n,
    ]);
    const outcomes = Object.entries(r.byOutcome).map(([k, n]): [string, number] => [
      t.outcome[k as keyof typeof t.outcome] ?? k,
      n,
    ]);
    const share = r.timeliness.sla.share;
    const timed = (label: string, d: SummaryReport['timeliness']['toVerdict']) =>
      html`<tr><th scope="row">${label}</th><td>${f.number(d.cases)}</td><td>${hours(d.medianSeconds)}</td><td>${hours(d.p90Seconds)}</td></tr>`;
    return html`<p class="muted">${fill(p.period, { from: f.day(r.period.from), to: f.day(r.period.to), zone: r.period.timeZone })}</p>
      <section class="card"><ul class="tiles report-tiles">
        <li><span class="count" data-figure="received">${f.number(r.cases.received)}</span> ${p.received}</li>
        <li><span class="count" data-figure="closed">${f.number(r.cases.closed)}</span> ${p.closed}</li>
        <li><span class="count" data-figure="referrals">${f.number(r.referrals)}</span> ${p.referrals}</li>
        <li><span class="count" data-figure="penalties">${f.number(r.penalties.count)}</span> ${p.penalties}</li>
        <li><span class="count">${f.number(r.penalties.accountsPenalised)}</span> ${p.accounts}</li>
        ${r.penalties.fines.map((fine) => html`<li><span class="count" data-figure="fines">${f.money(fine.amount, fine.currency)}</span> ${p.fines}</li>`)}
        <li><span class="count">${f.number(r.appeals.filed)} / ${f.number(r.appeals.decided)}</span> ${p.appeals}</li>
        <li><span class="count">${share === null ? '—' : `${f.number(Math.round(share * 1000) / 10)} %`}</span> ${p.slaShare}</li>
      </ul></section>
      <div class="report-grid">
        ${this.chart('chart-platforms', p.byPlatform, platforms)}
        ${this.chart('chart-categories', p.byCategory, categories)}
        ${this.countsTable(
          p.byTopic,
          t.topics.choose,
          r.byTopic.map((x): [string, number] => [x.name, x.cases]),
        )}
        ${this.countsTable(p.byOutcome, t.statsPage.outcome, outcomes)}
      </div>
      <section class="card report-table"><h2>${p.byAuthority}</h2>
        ${
          r.byAuthority.length === 0
            ? html`<p class="empty">${p.none}</p>`
            : html`<table><thead><tr><th scope="col">${p.authority}</th><th scope="col">${p.referrals}</th><th scope="col">${p.penalties}</th></tr></thead>
          <tbody>${r.byAuthority.map((a) => html`<tr><th scope="row">${a.name} (${a.code})</th><td>${f.number(a.referrals)}</td><td>${f.number(a.penalties)}</td></tr>`)}</tbody></table>`
        }</section>
      <section class="card report-table"><h2>${p.timeliness}</h2>
        <table><thead><tr><th scope="col"></th><th scope="col">${p.cases}</th><th scope="col">${p.median}</th><th scope="col">${p.p90}</th></tr></thead>
          <tbody>${timed(p.toVerdict, r.timeliness.toVerdict)}${timed(p.toReferral, r.timeliness.toReferral)}${timed(p.toClose, r.timeliness.toClose)}</tbody></table></section>
      <section class="card report-table"><h2>${p.sla}</h2>
        <table><thead><tr><th scope="col">${t.statsPage.stage}</th><th scope="col">${p.visits}</th><th scope="col">${p.within}</th><th scope="col">${p.breaches}</th></tr></thead>
          <tbody>${r.timeliness.sla.byStage.map((s) => html`<tr><th scope="row">${t.stage[s.stage as keyof typeof t.stage] ?? s.stage}</th><td>${f.number(s.visits)}</td><td>${f.number(s.withinSla)}</td><td>${f.number(s.breaches)}</td></tr>`)}</tbody></table></section>
      <section class="card report-table"><h2>${p.verifiers}</h2>
        ${
          r.verifiers.length === 0
            ? html`<p class="empty">${p.none}</p>`
            : html`<table><thead><tr><th scope="col">${p.verifier}</th><th scope="col">${p.claimed}</th><th scope="col">${p.verified}</th><th scope="col">${p.medianVerdict}</th></tr></thead>
          <tbody>${r.verifiers.map((v) => html`<tr><th scope="row">${v.name ?? v.id}</th><td>${f.number(v.claimed)}</td><td>${f.number(v.verified)}</td><td>${hours(v.medianSeconds)}</td></tr>`)}</tbody></table>`
        }</section>`;
  }

  override render() {
    const { t, f } = this.ctx;
    const data = this.data;
    return html`<section class="reports">
      <h1 tabindex="-1">${t.reportsPage.title}</h1>
      <p class="muted no-print">${t.reportsPage.intro}</p>
      ${this.controls()}
      ${data.state === 'loading' ? html`<p class="loading">${t.app.loading}</p>` : nothing}
      ${data.state === 'failed' ? problemBox(describeProblem(data.problem, t, f), t) : nothing}
      ${data.state === 'ready' ? this.report(data.value) : nothing}
    </section>`;
  }
}
customElements.define('ct-reports-page', ReportsPage);
