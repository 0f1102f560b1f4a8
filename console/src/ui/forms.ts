import {
  APPEAL_DECISIONS,
  CATEGORIES,
  CONTENT_TYPES,
  EVIDENCE_KINDS,
  PLATFORMS,
  PRIORITIES,
  REMEDIES,
  REPORT_SOURCES,
  VERDICTS,
} from '../../../src/domain/stages.ts';
import type { Case } from '../core/types.ts';
import type { DefaultValue, FormSpec, LeafSpec } from './form-spec.ts';

// One spec per command form (docs/design.md §5 bodies). Required marks mirror the API's schemas;
// the API stays the judge: its field errors are what the user sees.

const evidenceRow: LeafSpec[] = [
  { kind: 'select', name: 'kind', options: { values: EVIDENCE_KINDS, table: 'evidenceKind' }, required: true },
  { kind: 'url', name: 'url' },
  { kind: 'text', name: 'description', required: true },
  { kind: 'text', name: 'sha256', maxLength: 64 },
];

const authority = (prefix: string) =>
  [
    { kind: 'text', name: `${prefix}.code`, required: true },
    { kind: 'text', name: `${prefix}.name`, required: true },
  ] as const satisfies LeafSpec[];

const referralAuthority = (current: Case | null): Record<string, DefaultValue> =>
  current?.referral === undefined
    ? {}
    : { 'authority.code': current.referral.authority.code, 'authority.name': current.referral.authority.name };

export const SUBMIT_FORM: FormSpec = {
  id: 'submit',
  command: 'submit',
  fields: [
    {
      kind: 'group',
      name: 'group.item',
      fields: [
        { kind: 'select', name: 'item.platform', options: { values: PLATFORMS, table: 'platform' }, required: true },
        { kind: 'url', name: 'item.url', required: true, maxLength: 2048 },
        { kind: 'text', name: 'item.accountHandle', autocomplete: 'off' },
        { kind: 'text', name: 'item.accountName', autocomplete: 'off' },
        { kind: 'textarea', name: 'item.content', required: true },
        { kind: 'select', name: 'item.contentType', options: { values: CONTENT_TYPES, table: 'contentType' } },
        { kind: 'text', name: 'item.language', maxLength: 35 },
        { kind: 'datetime', name: 'item.capturedAt', required: true },
      ],
    },
    {
      kind: 'group',
      name: 'group.report',
      fields: [
        { kind: 'select', name: 'report.source', options: { values: REPORT_SOURCES, table: 'source' }, required: true },
        { kind: 'text', name: 'report.reporterRef' },
        { kind: 'datetime', name: 'report.receivedAt' },
      ],
    },
    {
      kind: 'group',
      name: 'group.claim',
      fields: [
        { kind: 'textarea', name: 'claim', required: true, maxLength: 2000 },
        { kind: 'select', name: 'category', options: { values: CATEGORIES, table: 'category' }, required: true },
        { kind: 'select', name: 'priority', options: { values: PRIORITIES, table: 'priority' } },
      ],
    },
  ],
  defaults: (_current, now) => ({ 'item.capturedAt': now, 'item.language': 'vi' }),
};

export const VERIFY_FORM: FormSpec = {
  id: 'verify',
  command: 'verify',
  fields: [
    { kind: 'select', name: 'verdict', options: { values: VERDICTS, table: 'verdict' }, required: true },
    { kind: 'textarea', name: 'rationale', required: true },
    { kind: 'rows', name: 'evidence', fields: evidenceRow, min: 1, max: 50 },
  ],
  defaults: () => ({ 'evidence.0.kind': 'url' }),
};

export const REFER_FORM: FormSpec = {
  id: 'refer',
  command: 'refer',
  fields: [
    ...authority('authority'),
    { kind: 'text', name: 'referenceNo' },
    { kind: 'datetime', name: 'dueAt' },
    { kind: 'textarea', name: 'note' },
  ],
};

export const PENALTY_FORM: FormSpec = {
  id: 'penalty',
  command: 'record-penalty',
  fields: [
    { kind: 'text', name: 'decisionNo', required: true },
    ...authority('authority'),
    { kind: 'datetime', name: 'issuedAt', required: true },
    {
      kind: 'rows',
      name: 'legalBasis',
      min: 1,
      max: 20,
      fields: [
        { kind: 'text', name: 'instrument', required: true },
        { kind: 'text', name: 'article', required: true },
        { kind: 'text', name: 'clause' },
      ],
    },
    {
      kind: 'group',
      name: 'group.subject',
      object: 'subject',
      fields: [
        { kind: 'text', name: 'subject.accountHandle' },
        { kind: 'text', name: 'subject.name' },
      ],
    },
    { kind: 'money', name: 'fine.amount', required: true },
    { kind: 'const', name: 'fine.currency', value: 'VND' },
    { kind: 'checkboxes', name: 'remedies', options: { values: REMEDIES, table: 'remedy' } },
    { kind: 'textarea', name: 'facts', required: true },
  ],
  defaults: (current, now) => ({
    ...referralAuthority(current),
    issuedAt: now,
    ...(current?.item.accountHandle === undefined ? {} : { 'subject.accountHandle': current.item.accountHandle }),
  }),
};

export const NO_VIOLATION_FORM: FormSpec = {
  id: 'noViolation',
  command: 'record-no-violation',
  fields: [...authority('authority'), { kind: 'textarea', name: 'note', required: true }],
  defaults: (current) => referralAuthority(current),
};

export const FILE_APPEAL_FORM: FormSpec = {
  id: 'fileAppeal',
  command: 'file-appeal',
  fields: [
    { kind: 'datetime', name: 'filedAt', required: true },
    { kind: 'textarea', name: 'grounds', required: true },
  ],
  defaults: (_current, now) => ({ filedAt: now }),
};

export const DECIDE_APPEAL_FORM: FormSpec = {
  id: 'decideAppeal',
  command: 'decide-appeal',
  fields: [
    {
      kind: 'select',
      name: 'decision',
      options: { values: APPEAL_DECISIONS, table: 'appealDecision' },
      required: true,
    },
    { kind: 'textarea', name: 'note', required: true },
  ],
};

export const CLOSE_FORM: FormSpec = {
  id: 'close',
  command: 'close',
  fields: [
    { kind: 'checkbox', name: 'compliance.contentRemoved' },
    { kind: 'checkbox', name: 'compliance.finePaid' },
    { kind: 'checkbox', name: 'compliance.correctionPublished' },
    { kind: 'checkbox', name: 'compliance.accountSuspended' },
    { kind: 'textarea', name: 'note' },
  ],
};

export const WITHDRAW_FORM: FormSpec = {
  id: 'withdraw',
  command: 'withdraw',
  danger: true,
  fields: [{ kind: 'textarea', name: 'reason', required: true }],
};

export const NOTE_FORM: FormSpec = {
  id: 'note',
  command: 'add-note',
  fields: [{ kind: 'textarea', name: 'text', required: true }],
};

export const EVIDENCE_FORM: FormSpec = {
  id: 'evidence',
  command: 'add-evidence',
  fields: evidenceRow,
  defaults: () => ({ kind: 'url' }),
};

export const ALL_FORMS = [
  SUBMIT_FORM,
  VERIFY_FORM,
  REFER_FORM,
  PENALTY_FORM,
  NO_VIOLATION_FORM,
  FILE_APPEAL_FORM,
  DECIDE_APPEAL_FORM,
  CLOSE_FORM,
  WITHDRAW_FORM,
  NOTE_FORM,
  EVIDENCE_FORM,
] as const;
