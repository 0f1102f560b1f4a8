import { html, nothing, type TemplateResult } from 'lit';
import type { AppContext } from '../core/context.ts';
import type { Case } from '../core/types.ts';
import { citation } from '../i18n/citation.ts';
import './long-url.ts';
import { priorityBadge, slaBadge, stageBadge, who } from './badges.ts';

type Row = [label: string, value: unknown];

/** A definition list of the rows that have a value. */
function list(rows: Row[]): TemplateResult {
  return html`<dl class="details">${rows
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([label, value]) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`)}</dl>`;
}

function time(ctx: AppContext, iso: string | undefined) {
  return iso === undefined ? undefined : html`<time datetime=${iso}>${ctx.f.dateTime(iso)}</time>`;
}

/** A link to an outside address: shortened when long, with expand and copy (ui/long-url.ts). */
function external(ctx: AppContext, url: string) {
  return html`<ct-long-url .ctx=${ctx} .url=${url}></ct-long-url>`;
}

function evidenceList(ctx: AppContext, evidence: NonNullable<Case['verdict']>['evidence']) {
  if (evidence.length === 0) return undefined;
  return html`<ul class="evidence">${evidence.map(
    (e) => html`<li>
    <span class="badge">${ctx.t.evidenceKind[e.kind]}</span> ${e.description}
    ${e.url === undefined ? nothing : html`<br>${external(ctx, e.url)}`}
    ${e.sha256 === undefined ? nothing : html`<br><code class="hash">sha256 ${e.sha256}</code>`}
  </li>`,
  )}</ul>`;
}

export function caseDetails(ctx: AppContext, c: Case): TemplateResult {
  const { t, f } = ctx;
  const d = t.details;
  const section = (title: string, body: TemplateResult) =>
    html`<section class="card"><h2>${title}</h2>${body}</section>`;
  return html`<div class="case-grid">
    ${section(
      d.status,
      list([
        [d.stage, stageBadge(c, t)],
        [d.priority, priorityBadge(c.priority, t)],
        [d.deadline, c.stage === 'closed' ? undefined : slaBadge(c, t, f)],
        [d.deadlineAt, time(ctx, c.deadlineAt)],
        [
          d.claimedBy,
          c.claimedBy === undefined
            ? undefined
            : `${who(c.claimedBy, ctx)} (${ctx.t.details.until} ${f.dateTime(c.claimedUntil ?? c.updatedAt)})`,
        ],
        [d.submittedBy, who(c.submittedBy, ctx)],
        [d.createdAt, time(ctx, c.createdAt)],
        [d.updatedAt, time(ctx, c.updatedAt)],
        [d.version, String(c.version)],
        [
          d.duplicateOf,
          c.duplicateOf === undefined
            ? undefined
            : html`<a href="#/cases/${c.duplicateOf}">${c.duplicateOf.slice(0, 8)}</a>`,
        ],
      ]),
    )}
    ${section(d.claimTitle, html`<p class="claim-text">${c.claim}</p>${list([[d.category, t.category[c.category]]])}`)}
    ${section(
      d.item,
      list([
        [d.platform, t.platform[c.platform]],
        [d.url, external(ctx, c.item.url)],
        [d.accountHandle, c.item.accountHandle],
        [d.accountName, c.item.accountName],
        [
          d.content,
          c.item.content === undefined
            ? undefined
            : html`<blockquote class="content" lang=${c.item.language ?? nothing}>${c.item.content}</blockquote>`,
        ],
        [d.contentType, c.item.contentType === undefined ? undefined : t.contentType[c.item.contentType]],
        [d.language, c.item.language],
        [d.capturedAt, time(ctx, c.item.capturedAt)],
      ]),
    )}
    ${section(
      d.report,
      list([
        [d.source, t.source[c.report.source]],
        [d.reporterRef, c.report.reporterRef],
        [d.receivedAt, time(ctx, c.report.receivedAt)],
      ]),
    )}
    ${
      c.verdict === undefined
        ? nothing
        : section(
            d.verdict,
            list([
              [
                d.verdictValue,
                html`<span class="badge badge--verdict-${c.verdict.verdict}">${t.verdict[c.verdict.verdict]}</span>`,
              ],
              [d.rationale, c.verdict.rationale],
              [d.evidence, evidenceList(ctx, c.verdict.evidence)],
              [d.verifiedBy, who(c.verdict.verifiedBy, ctx)],
              [d.verifiedAt, time(ctx, c.verdict.verifiedAt)],
            ]),
          )
    }
    ${
      c.referral === undefined
        ? nothing
        : section(
            d.referral,
            list([
              [d.authority, `${c.referral.authority.name} (${c.referral.authority.code})`],
              [d.referenceNo, c.referral.referenceNo],
              [d.dueAt, time(ctx, c.referral.dueAt)],
              [d.note, c.referral.note],
              [d.referredAt, time(ctx, c.referral.referredAt)],
            ]),
          )
    }
    ${
      c.penalty === undefined
        ? nothing
        : section(
            d.penalty,
            list([
              [d.decisionNo, c.penalty.decisionNo],
              [d.authority, `${c.penalty.authority.name} (${c.penalty.authority.code})`],
              [d.issuedAt, time(ctx, c.penalty.issuedAt)],
              [d.fine, html`<strong class="money">${f.money(c.penalty.fine.amount, c.penalty.fine.currency)}</strong>`],
              [d.legalBasis, html`<ul>${c.penalty.legalBasis.map((b) => html`<li>${citation(b, t)}</li>`)}</ul>`],
              [
                d.subject,
                c.penalty.subject === undefined
                  ? undefined
                  : [c.penalty.subject.name, c.penalty.subject.accountHandle].filter(Boolean).join(' · '),
              ],
              [d.remedies, c.penalty.remedies.map((r) => t.remedy[r]).join(', ')],
              [d.facts, c.penalty.facts],
              [d.recordedBy, who(c.penalty.recordedBy, ctx)],
            ]),
          )
    }
    ${
      c.appeal === undefined
        ? nothing
        : section(
            d.appeal,
            list([
              [d.appealStatus, t.appealStatus[c.appeal.status]],
              [d.filedAt, time(ctx, c.appeal.filedAt)],
              [d.grounds, c.appeal.grounds],
              [d.decidedBy, who(c.appeal.decidedBy, ctx)],
              [d.decidedAt, time(ctx, c.appeal.decidedAt)],
              [d.note, c.appeal.note],
            ]),
          )
    }
  </div>`;
}

/** Every user id a case mentions, to fetch their names. */
export function actorIds(c: Case): string[] {
  return [
    c.submittedBy,
    c.claimedBy,
    c.verdict?.verifiedBy,
    c.penalty?.recordedBy,
    c.appeal?.filedBy,
    c.appeal?.decidedBy,
  ].filter((id): id is string => id !== undefined);
}
