import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { AppContext } from '../core/context.ts';
import type { Case, Me } from '../core/types.ts';
import { drafts } from '../core/drafts.ts';
import type { FormSpec } from './form-spec.ts';
import {
  ALL_FORMS,
  CLOSE_FORM,
  DECIDE_APPEAL_FORM,
  EVIDENCE_FORM,
  FILE_APPEAL_FORM,
  NOTE_FORM,
  NO_VIOLATION_FORM,
  PENALTY_FORM,
  REFER_FORM,
  VERIFY_FORM,
  WITHDRAW_FORM,
} from './forms.ts';
import './command-form.ts';

export type Actions = {
  /** The next step of the case for this user, shown open. */
  primary: FormSpec[];
  /** Everything else this user may do, folded. */
  secondary: FormSpec[];
  canClaim: boolean;
};

const has = (me: Me, role: Me['roles'][number]) => me.roles.includes(role);

/**
 * What the console offers, from the case's stage and the user's roles (docs/design.md §2). The worker
 * decides; this only avoids offering what would certainly be refused, such as verifying a
 * case one submitted or a case another verifier holds.
 */
export function availableActions(c: Case, me: Me, now = Date.now()): Actions {
  const primary: FormSpec[] = [];
  const secondary: FormSpec[] = [];
  const open = c.stage !== 'closed';
  const liveClaim = c.claimedBy !== undefined && c.claimedUntil !== undefined && Date.parse(c.claimedUntil) > now;
  let canClaim = false;
  if (has(me, 'verifier') && c.stage === 'received' && c.submittedBy !== me.id) {
    canClaim = !(liveClaim && c.claimedBy === me.id) && !(liveClaim && c.claimedBy !== me.id);
    // verify needs the caller's own live claim (a claim, or an assignment).
    if (liveClaim && c.claimedBy === me.id) primary.push(VERIFY_FORM);
  }
  if (has(me, 'supervisor')) {
    if (c.stage === 'verified') primary.push(REFER_FORM);
    if (c.stage === 'referred') {
      primary.push(PENALTY_FORM);
      secondary.push(NO_VIOLATION_FORM);
    }
    if (c.stage === 'penalty_issued') {
      if (c.appeal?.status === 'pending') primary.push(DECIDE_APPEAL_FORM);
      else {
        primary.push(CLOSE_FORM);
        secondary.push(FILE_APPEAL_FORM);
      }
    }
  }
  if (open && (has(me, 'verifier') || has(me, 'supervisor'))) secondary.push(EVIDENCE_FORM);
  secondary.push(NOTE_FORM);
  if (open && has(me, 'supervisor')) secondary.push(WITHDRAW_FORM);
  return { primary, secondary, canClaim };
}

/**
 * Keeps a form the user typed in on the page after the case moved on (another user acted, the
 * page refreshed): its input stays, with what changed, until it is sent or discarded.
 */
export function withDrafts(actions: Actions, caseId: string): Actions {
  const shown = new Set([...actions.primary, ...actions.secondary].map((spec) => spec.id));
  const kept = new Set(drafts.formsOf(caseId));
  const pinned = ALL_FORMS.filter((spec) => kept.has(spec.id) && !shown.has(spec.id));
  return pinned.length === 0 ? actions : { ...actions, primary: [...pinned, ...actions.primary] };
}

export function renderActions(ctx: AppContext, c: Case, actions: Actions, claim: { busy: boolean; run: () => void }) {
  const { t } = ctx;
  const form = (spec: FormSpec, compact: boolean) =>
    html`<ct-command-form .ctx=${ctx} .spec=${spec} .current=${c} ?compact=${compact}></ct-command-form>`;
  return html`<section class="actions" aria-labelledby="actions-title">
    <h2 id="actions-title">${t.casePage.actions}</h2>
    ${
      actions.canClaim
        ? html`<div class="claim-box"><p>${t.casePage.claimIntro}</p>
      <button type="button" class="button button--primary" ?disabled=${claim.busy} @click=${claim.run}>
        ${claim.busy ? t.form.sending : t.casePage.claim}</button></div>`
        : nothing
    }
    ${repeat(
      actions.primary,
      (spec) => spec.id,
      (spec) => html`<div class="card">${form(spec, false)}</div>`,
    )}
    ${repeat(
      actions.secondary,
      (spec) => spec.id,
      (spec) => html`<details class="card more-action ${spec.danger ? 'more-action--danger' : ''}">
      <summary>${t.forms[spec.id].title}</summary>${form(spec, true)}</details>`,
    )}
  </section>`;
}
