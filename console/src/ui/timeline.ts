import { html, nothing, type PropertyValues } from 'lit';
import { hasRole } from '../core/context.ts';
import { href } from '../core/router.ts';
import type { CaseEvent, Page } from '../core/types.ts';
import { eventSummary } from '../i18n/event-summary.ts';
import { describeProblem, fill } from '../i18n/problems.ts';
import { rolesOf, who } from './badges.ts';
import { ConsoleElement } from './element.ts';
import { load, type Loaded } from './loader.ts';
import { problemBox } from './problem-box.ts';
import './case-files.ts';

type AuditReport = { ok: boolean; failures: { caseId: string | null; seq: number | null; reason: string }[] };

const MAX_PAGES = 50;

const CASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

/** The other case an event names (a merged report, a duplicate, a related case), when the reader may see it. */
function linkedCase(event: CaseEvent): string | null {
  const p = event.payload;
  const id =
    event.type === 'case.report_merged'
      ? p.duplicateCaseId
      : event.type === 'case.duplicate_detected'
        ? p.duplicateOf
        : event.type === 'case.related_linked'
          ? p.relatedCaseId
          : null;
  return typeof id === 'string' && CASE_ID.test(id) ? id : null;
}

/** The audit trail of a case: every event with who, what, when and its hashes, and the chain's badge. */
export class CaseTimeline extends ConsoleElement {
  static override properties = { caseId: {}, version: { type: Number }, asOf: {} };
  declare caseId: string;
  /** The case version shown: a new one reloads the trail. */
  declare version: number;
  declare asOf: string | null;
  private events: Loaded<CaseEvent[]> = { state: 'loading' };
  private audit: Loaded<AuditReport> | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('caseId') || changed.has('version')) void this.reload();
  }

  private async reload(): Promise<void> {
    const { client, me } = this.ctx;
    const all = async () => {
      const items: CaseEvent[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < MAX_PAGES; i += 1) {
        const page = await client.get<Page<CaseEvent>>(`/v1/cases/${this.caseId}/events`, { limit: 1000, cursor });
        items.push(...page.items);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      return items;
    };
    const [events, audit] = await Promise.all([
      load(all),
      hasRole(me, 'supervisor')
        ? load(() => client.get<AuditReport>('/v1/audit/verify', { caseId: this.caseId }))
        : Promise.resolve(null),
    ]);
    this.events = events;
    this.audit = audit;
    if (events.state === 'ready') await this.ctx.names.load(events.value.map((e) => e.actor.id));
    this.requestUpdate();
  }

  private badge() {
    const { t } = this.ctx;
    const audit = this.audit;
    if (audit === null) return nothing;
    if (audit.state === 'loading') return html`<span class="badge badge--pending">${t.audit.checking}</span>`;
    if (audit.state === 'failed') return html`<span class="badge badge--pending">${t.audit.unavailable}</span>`;
    if (audit.value.ok)
      return html`<span class="badge badge--verified" data-audit="verified">✓ ${t.audit.verified}</span>`;
    const first = audit.value.failures.find((failure) => failure.seq !== null);
    return html`<span class="badge badge--broken" data-audit="broken">✗ ${t.audit.broken}</span>
      ${first === undefined ? nothing : html`<span class="broken-at">${fill(t.audit.brokenAt, { seq: String(first.seq) })}</span>`}`;
  }

  private item(event: CaseEvent) {
    const { t, f } = this.ctx;
    const after = this.asOf !== null && Date.parse(event.occurredAt) > Date.parse(this.asOf);
    const roles = rolesOf(event.actor, t);
    return html`<li class="event ${after ? 'event--after' : ''}" data-seq=${event.seq}>
      <div class="event-head">
        <span class="seq">#${event.seq}</span>
        <strong class="event-type">${t.eventType[event.type]}</strong>
        <time datetime=${event.occurredAt}>${f.dateTime(event.occurredAt)}</time>
      </div>
      <p class="event-who">${who(event.actor.id, this.ctx)}${roles === null ? nothing : html` <span class="roles">(${roles})</span>`}</p>
      <p class="event-what">${linkedCase(event) === null ? eventSummary(event, t, f) : html`<a href=${href.case(linkedCase(event) ?? '')}>${eventSummary(event, t, f)}</a>`}</p>
      ${this.thumbnail(event)}
      <details class="hashes"><summary>${t.timeline.hashes} <code>${event.hash.slice(0, 12)}…</code></summary>
        <dl><div><dt>${t.timeline.prevHash}</dt><dd><code class="hash">${event.prevHash}</code></dd></div>
          <div><dt>${t.timeline.hash}</dt><dd><code class="hash">${event.hash}</code></dd></div></dl>
      </details>
      ${after ? html`<p class="muted">${t.timeline.afterAsOf}</p>` : html`<a class="as-of-link" href=${href.case(this.caseId, event.occurredAt)}>${t.timeline.asOfHere}</a>`}
    </li>`;
  }

  /** The picture a case.file_attached event binds, when it is an image still kept. */
  private thumbnail(event: CaseEvent) {
    if (event.type !== 'case.file_attached' || !String(event.payload.mediaType).startsWith('image/')) return nothing;
    const kind = (this.ctx.t.fileKind as Record<string, string>)[String(event.payload.kind)] ?? '';
    return html`<ct-file-thumbnail .ctx=${this.ctx} .caseId=${this.caseId} .fileId=${String(event.payload.fileId)}
      .label=${fill(this.ctx.t.files.thumbnailOf, { name: kind })}></ct-file-thumbnail>`;
  }

  override render() {
    const { t, f } = this.ctx;
    const events = this.events;
    return html`<section class="timeline" aria-labelledby="timeline-title">
      <div class="timeline-head"><h2 id="timeline-title">${t.timeline.title}</h2>
        <p class="audit-badge" aria-live="polite">${this.audit === null ? nothing : html`${t.audit.label}: `}${this.badge()}</p></div>
      ${events.state === 'loading' ? html`<p class="loading">${t.app.loading}</p>` : nothing}
      ${events.state === 'failed' ? problemBox(describeProblem(events.problem, t, f), t) : nothing}
      ${
        events.state === 'ready'
          ? html`<p class="muted">${fill(t.timeline.count, { n: f.number(events.value.length) })}</p>
        <ol class="events">${events.value.map((event) => this.item(event))}</ol>`
          : nothing
      }
    </section>`;
  }
}
customElements.define('ct-timeline', CaseTimeline);
