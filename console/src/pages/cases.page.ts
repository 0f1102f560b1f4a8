import { html, nothing, type PropertyValues } from 'lit';
import { dayFromInput, dayToInput } from '../i18n/zoned-time.ts';
import { CATEGORIES, OUTCOMES, PLATFORMS, STAGES, VERDICTS } from '../../../src/domain/stages.ts';
import { hasRole } from '../core/context.ts';
import { liveList } from '../ui/live-list.ts';
import { href } from '../core/router.ts';
import type { Case, Page } from '../core/types.ts';
import { describeProblem, fill } from '../i18n/problems.ts';
import { actorIds } from '../ui/case-details.ts';
import { inView, isView, queueTable, viewLinks, type Sort, type View } from '../ui/case-queue.ts';
import { ConsoleElement } from '../ui/element.ts';
import { load, type Loaded } from '../ui/loader.ts';
import { problemBox } from '../ui/problem-box.ts';

const FILTERS = ['stage', 'outcome', 'platform', 'category', 'verdict', 'topic'] as const;
const DATES = ['from', 'to'] as const;
type Topic = { code: string; name: string };
const PAGE = 50;
/** The most pages a saved view reads to fill its first page. */
const VIEW_PAGES = 10;
type StageCounts = Record<(typeof STAGES)[number], number>;

/** Cases the user may see: a clerk's own, a verifier's, or (supervisor) all, with filters and search. */
export class CasesPage extends ConsoleElement {
  static override properties = { query: { attribute: false } };
  declare query: URLSearchParams;
  private page: Loaded<Page<Case>> = { state: 'loading' };
  private counts: StageCounts | null = null;
  private loadingMore = false;
  private topics: Topic[] = [];
  /** The filters beyond the first row (verdict, topic, days of receipt), shown on demand. */
  private moreFilters = false;
  private sort: Sort | null = null;

  constructor() {
    super();
    liveList(this, () => this.reload(true));
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('query')) void this.reload();
  }

  private filters(): Record<string, string> {
    const chosen: Record<string, string> = {};
    for (const key of [...FILTERS, ...DATES, 'q'] as const) {
      const value = this.query.get(key);
      if (value !== null && value !== '') chosen[key] = value;
    }
    return chosen;
  }

  /** quiet: a refresh pushed by a change, without the loading state in between. */
  private async reload(quiet = false): Promise<void> {
    if (!quiet) {
      this.page = { state: 'loading' };
      this.requestUpdate();
    }
    const { client, me } = this.ctx;
    const [page, stats, topics] = await Promise.all([
      load(() => client.get<Page<Case>>('/v1/cases', { ...this.filters(), limit: 50 })),
      hasRole(me, 'supervisor')
        ? load(() => client.get<{ cases: { byStage: StageCounts } }>('/v1/stats'))
        : Promise.resolve(null),
      load(() => client.get<{ items: Topic[] }>('/v1/topics')),
    ]);
    this.page = page;
    this.topics = topics.state === 'ready' ? topics.value.items : [];
    this.counts = stats?.state === 'ready' ? stats.value.cases.byStage : null;
    this.requestUpdate();
    await this.fillView();
    if (this.page.state === 'ready')
      void this.ctx.names.load(this.page.value.items.flatMap(actorIds)).then(() => this.requestUpdate());
  }

  /** A saved view shows a page of its own cases: more pages are read while it has too few. */
  private async fillView(): Promise<void> {
    const view = this.view();
    for (let pages = 1; view !== null && pages < VIEW_PAGES; pages += 1) {
      const current = this.page;
      if (current.state !== 'ready' || current.value.nextCursor === null) return;
      if (current.value.items.filter((c) => inView(c, view, this.ctx.me.id)).length >= PAGE) return;
      await this.more();
    }
  }

  private async more(): Promise<void> {
    if (this.page.state !== 'ready' || this.page.value.nextCursor === null) return;
    const previous = this.page.value;
    this.loadingMore = true;
    this.requestUpdate();
    const next = await load(() =>
      this.ctx.client.get<Page<Case>>('/v1/cases', {
        ...this.filters(),
        limit: 50,
        cursor: previous.nextCursor ?? undefined,
      }),
    );
    this.loadingMore = false;
    this.page =
      next.state === 'ready'
        ? {
            state: 'ready',
            value: { items: [...previous.items, ...next.value.items], nextCursor: next.value.nextCursor },
          }
        : next;
    this.requestUpdate();
  }

  private apply(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const query: Record<string, string> = {};
    for (const [key, value] of data) if (typeof value === 'string' && value.trim() !== '') query[key] = value.trim();
    // Days of receipt are typed dd/mm/yyyy, whatever the browser's language; the API takes yyyy-mm-dd
    // (one that is not a day goes as typed, and the API names the field).
    for (const key of DATES) {
      const typed = query[key];
      if (typed !== undefined) query[key] = dayFromInput(typed) ?? typed;
    }
    this.ctx.navigate(href.cases(query));
  }

  private filterForm() {
    const { t } = this.ctx;
    const chosen = this.filters();
    // Kept on the first row: search and the four everyday filters; the rest on demand (or
    // when one of them is set), so the queue keeps its rows above the fold.
    const extraChosen = (['verdict', 'topic', ...DATES] as const).some((key) => chosen[key] !== undefined);
    const more = this.moreFilters || extraChosen;
    const select = (
      name: (typeof FILTERS)[number],
      values: readonly string[],
      labels: Record<string, string>,
    ) => html`<div class="field">
      <label for="filter-${name}">${t.casesPage.filter[name]}</label>
      <select id="filter-${name}" name=${name}>
        <option value="">${t.casesPage.any}</option>
        ${values.map((v) => html`<option value=${v} ?selected=${chosen[name] === v}>${labels[v]}</option>`)}
      </select></div>`;
    return html`<form class="filters" role="search" @submit=${(e: SubmitEvent) => this.apply(e)}>
      <div class="field field--wide"><label for="filter-q">${t.casesPage.search}</label>
        <input id="filter-q" name="q" type="search" value=${chosen.q ?? ''} aria-describedby="filter-q-hint">
        <p class="field-hint" id="filter-q-hint">${t.casesPage.searchHint}</p></div>
      ${select('stage', STAGES, t.stage)} ${select('outcome', OUTCOMES, t.outcome)}
      ${select('platform', PLATFORMS, t.platform)} ${select('category', CATEGORIES, t.category)}
      ${
        more
          ? html`${select('verdict', VERDICTS, t.verdict)}
      ${select(
        'topic',
        this.topics.map((x) => x.code),
        Object.fromEntries(this.topics.map((x) => [x.code, x.name])),
      )}
      ${DATES.map(
        (name) => html`<div class="field"><label for="filter-${name}">${t.casesPage.filter[name]}</label>
        <input id="filter-${name}" name=${name} type="text" class="input--date" placeholder="dd/mm/yyyy" autocomplete="off"
          .value=${chosen[name] === undefined ? '' : /^\d{4}-\d{2}-\d{2}$/u.test(chosen[name]) ? dayToInput(chosen[name]) : chosen[name]}></div>`,
      )}`
          : nothing
      }
      <p class="form-actions"><button class="button button--primary" type="submit">${t.casesPage.apply}</button>
        <a class="button button--quiet" href=${href.cases()}>${t.casesPage.reset}</a>
        ${
          extraChosen
            ? nothing
            : html`<button class="button button--quiet" type="button" aria-expanded=${more ? 'true' : 'false'}
          @click=${() => {
            this.moreFilters = !more;
            this.requestUpdate();
          }}>${t.casesPage.moreFilters}</button>`
        }</p>
    </form>`;
  }

  private stageCounts() {
    if (this.counts === null) return nothing;
    const { t, f } = this.ctx;
    const counts = this.counts;
    return html`<nav class="stage-counts" aria-label=${t.casesPage.countsLabel}><ul>
      ${STAGES.map(
        (
          stage,
        ) => html`<li><a href=${href.cases({ stage })} aria-current=${this.query.get('stage') === stage ? 'true' : nothing}>
        <span class="count">${f.number(counts[stage])}</span> ${t.stage[stage]}</a></li>`,
      )}
    </ul></nav>`;
  }

  private table(items: Case[]) {
    const { t, me } = this.ctx;
    const view = this.view();
    const shown = view === null ? items : items.filter((c) => inView(c, view, me.id));
    if (shown.length === 0) return html`<p class="empty">${t.casesPage.empty}</p>`;
    return queueTable(this.ctx, shown, this.sort, (key) => {
      this.sort = { key, descending: this.sort?.key === key ? !this.sort.descending : key === 'updatedAt' };
      this.requestUpdate();
    });
  }

  private view(): View | null {
    const view = this.query.get('view');
    return isView(view) ? view : null;
  }

  override render() {
    const { t, f, me } = this.ctx;
    const clerkOnly = me.roles.every((role) => role === 'clerk');
    const page = this.page;
    return html`<section>
      <h1 tabindex="-1">${clerkOnly ? t.casesPage.mine : t.casesPage.title}</h1>
      ${this.stageCounts()}
      ${viewLinks(this.ctx, this.view(), this.filters())}
      ${this.filterForm()}
      <div aria-live="polite" aria-busy=${page.state === 'loading' ? 'true' : 'false'}>
        ${page.state === 'loading' ? html`<p class="loading">${t.app.loading}</p>` : nothing}
        ${page.state === 'failed' ? problemBox(describeProblem(page.problem, t, f), t) : nothing}
        ${
          page.state === 'ready'
            ? html`<p class="result-count">${fill(t.casesPage.shown, { n: f.number(page.value.items.length) })}</p>
          ${this.table(page.value.items)}
          ${
            page.value.nextCursor === null
              ? nothing
              : html`<p><button class="button button--secondary" type="button" ?disabled=${this.loadingMore}
            @click=${() => this.more()}>${t.casesPage.more}</button></p>`
          }`
            : nothing
        }
      </div>
    </section>`;
  }
}
customElements.define('ct-cases-page', CasesPage);
