import { html } from 'lit';
import type { AppContext } from '../core/context.ts';
import type { CaseEvent } from '../core/types.ts';
import { eventSummary } from '../i18n/event-summary.ts';
import { fill } from '../i18n/problems.ts';
import { who } from './badges.ts';

export type Moved = { from: number; to: number; events: CaseEvent[] | null };

/**
 * What changed on a case since a form was started: each event after that version, with who
 * did it and when, so that a refusal (or a change pushed while typing) is never a mystery.
 */
export function conflictBox(ctx: AppContext, moved: Moved, actions: { retry(): void; discard(): void }) {
  const { t, f } = ctx;
  const c = t.conflict;
  return html`<div class="conflict" role="alert" tabindex="-1" data-conflict>
    <p class="problem-title">${c.title}</p>
    <p>${fill(c.intro, { from: String(moved.from), to: String(moved.to) })}</p>
    ${
      moved.events === null
        ? html`<p class="loading">${t.app.loading}</p>`
        : html`<ul class="conflict-changes">${moved.events.map(
            (e) =>
              html`<li data-seq=${e.seq}>${fill(c.change, {
                what: t.eventType[e.type],
                who: who(e.actor.id, ctx),
                when: f.dateTime(e.occurredAt),
              })}<br><span class="muted">${eventSummary(e, t, f)}</span></li>`,
          )}</ul>`
    }
    <p>${c.kept}</p>
    <p class="form-actions">
      <button type="button" class="button button--primary" @click=${actions.retry}>${c.retry}</button>
      <button type="button" class="button button--quiet" @click=${actions.discard}>${c.discard}</button>
    </p>
  </div>`;
}
