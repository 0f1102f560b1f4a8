import type { EventType } from '../../../src/domain/events.ts';
import type { ProblemCode } from '../core/api-client.ts';
import type {
  AppealDecision, AppealStatus, Category, ContentType, EvidenceKind, Outcome, Platform, Priority, Remedy, ReportSource, Role, Stage, Verdict,
} from '../../../src/domain/stages.ts';
import type { FormId } from '../ui/form-spec.ts';

// The English catalog, and the shape every catalog has (vi.ts must match it key for key).
// Placeholders in braces are filled by fill(). Tables keyed by the domain's own lists make a
// new stage, outcome or problem code a compile error until it has a label.

const labels = <K extends string>(table: Record<K, string>) => table;
export type FormCopy = { title: string; submit: string; done: string; intro?: string };
const forms = (table: Record<FormId, FormCopy>) => table;

export const en = {
  app: {
    languageName: 'English', language: 'Language', timeZone: 'Time zone', skip: 'Skip to content', signOut: 'Sign out', loading: 'Loading…',
    you: 'you', requestId: 'Quote this reference when reporting the problem: {id}',
    notAllowedTitle: 'Not available', notAllowed: 'Your roles do not include this page.',
    unknownTitle: 'Page not found', unknown: 'There is no such page in the console.',
    adminTitle: 'Administration', adminOnly: 'Administrators manage users and tokens with the casetrail command or the API; case work is for clerks, verifiers and supervisors.',
  },
  nav: { label: 'Main', submit: 'New report', cases: 'Cases', myCases: 'My cases', worklist: 'Worklist', stats: 'Statistics', accessLog: 'Access log' },
  signIn: {
    title: 'Sign in', token: 'API token', submit: 'Sign in',
    intro: 'Sign in with the API token your administrator gave you.',
    hint: 'Kept in this browser tab only, and forgotten when the tab closes.',
    missing: 'Enter your API token.', invalid: 'This token is not valid: it is unknown, mistyped or revoked.',
    ended: 'Your session has ended: the token is no longer valid. Sign in again.',
  },
  role: labels<Role>({ clerk: 'Clerk', verifier: 'Verifier', supervisor: 'Supervisor', admin: 'Administrator' }),
  stage: labels<Stage>({ received: 'Received', verified: 'Verified', referred: 'Referred', penalty_issued: 'Penalty issued', closed: 'Closed' }),
  outcome: labels<Outcome>({
    dismissed: 'Dismissed', duplicate: 'Duplicate', no_violation: 'No violation', penalty_enforced: 'Penalty enforced',
    penalty_overturned: 'Penalty overturned', withdrawn: 'Withdrawn',
  }),
  priority: labels<Priority>({ low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' }),
  category: labels<Category>({
    health: 'Health', safety: 'Safety', disaster: 'Disaster', economy: 'Economy', scam: 'Scam', defamation: 'Defamation',
    public_order: 'Public order', other: 'Other',
  }),
  platform: labels<Platform>({ facebook: 'Facebook', tiktok: 'TikTok', zalo: 'Zalo', youtube: 'YouTube', x: 'X', website: 'Website', other: 'Other' }),
  contentType: labels<ContentType>({ text: 'Text', image: 'Image', video: 'Video', audio: 'Audio', link: 'Link' }),
  source: labels<ReportSource>({ citizen_tip: 'Citizen tip', monitoring: 'Monitoring', agency: 'Agency', platform: 'Platform' }),
  verdict: labels<Verdict>({ false: 'False', misleading: 'Misleading', accurate: 'Accurate', unverifiable: 'Unverifiable' }),
  evidenceKind: labels<EvidenceKind>({ url: 'Web page', document: 'Document', screenshot: 'Screenshot', archive: 'Archived copy', note: 'Note' }),
  remedy: labels<Remedy>({ remove_content: 'Remove the content', publish_correction: 'Publish a correction', suspend_account: 'Suspend the account', other: 'Other' }),
  appealDecision: labels<AppealDecision>({ upheld: 'Upheld', overturned: 'Overturned' }),
  appealStatus: labels<AppealStatus>({ pending: 'Pending', upheld: 'Upheld', overturned: 'Overturned' }),
  eventType: labels<EventType>({
    'case.received': 'Received', 'case.claimed': 'Claimed', 'case.verified': 'Verified', 'case.referred': 'Referred',
    'case.penalty_issued': 'Penalty issued', 'case.appeal_filed': 'Appeal filed', 'case.appeal_decided': 'Appeal decided',
    'case.closed': 'Closed', 'case.note_added': 'Note added', 'case.evidence_added': 'Evidence added', 'case.sla_breached': 'Deadline missed',
    'case.duplicate_detected': 'Duplicate detected', 'case.report_merged': 'Report merged', 'case.related_linked': 'Related case linked',
    'case.personal_data_erased': 'Personal data erased',
  }),
  eventSummary: {
    received: '{reference} · {platform} · {category} · priority {priority}', claimed: 'Claimed until {until}',
    verified: 'Verdict: {verdict} ({n} evidence items)', referred: 'Referred to {authority}',
    penaltyIssued: 'Decision {decisionNo}: fine {fine} ({authority})', appealFiled: 'Grounds: {grounds}', appealDecided: 'Appeal {decision}',
    slaBreached: 'Still {stage} at its deadline, {deadline}', duplicate: 'Same item as case {id}', merged: 'Report {reference} merged into this case',
    related: 'Same content as case {id}', erased: 'Personal data erased: {reason}',
  },
  sla: { none: '—', overdue: 'Overdue ({when})', 'due-soon': 'Due {when}', 'on-time': 'Due {when}' },
  problem: labels<ProblemCode>({
    validation_failed: 'Some fields need attention', unauthenticated: 'Not signed in', forbidden: 'Not allowed', not_found: 'Not found',
    invalid_transition: 'Not possible at this stage', version_conflict: 'The case has changed', claimed_by_other: 'Claimed by another verifier',
    duplicate_decision: 'Decision number already used', guard_failed: 'A rule prevents this', idempotency_mismatch: 'Request already sent with other data',
    payload_too_large: 'Too much data', unsupported_media_type: 'Unsupported format', rate_limited: 'Too many requests', internal: 'Something went wrong',
    unavailable: 'Temporarily unavailable',
    network: 'The server cannot be reached',
  }),
  problemHelp: labels<ProblemCode>({
    validation_failed: 'Correct the fields marked below and send again.', unauthenticated: 'Sign in again with a valid token.',
    forbidden: 'Your roles do not allow this action.', not_found: 'The case does not exist, or you may not see it.',
    invalid_transition: 'The case is no longer at a stage where this can be done. Reload it to see where it stands.',
    version_conflict: 'Someone else changed the case while you were working. It has been reloaded: check it and try again.',
    claimed_by_other: 'Another verifier holds this case for now.', duplicate_decision: 'Another case already has this decision number.',
    guard_failed: 'The case does not meet a rule for this action.', idempotency_mismatch: 'Send the form again.',
    payload_too_large: 'Shorten the text and send again.', unsupported_media_type: 'Reload the page and try again.',
    rate_limited: 'Wait a moment and try again.', internal: 'Try again in a moment.', unavailable: 'The server is restarting. Send again in a moment.', network: 'Check your connection and try again.',
  }),
  problemDetail: {
    submitterCannotVerify: 'You submitted this case, so another verifier must verify it.',
    claimedUntil: 'Another verifier holds this case until {until}.',
    verdictNeedsEvidence: 'A verdict of “{verdict}” needs at least one evidence item.',
    recorderIsVerifier: 'You verified this case, so another supervisor must record its penalty.',
    needsLegalBasis: 'A penalty needs at least one legal basis.', decisionNoUsed: 'Decision number {decisionNo} is already used by another case.',
    appealPending: 'An appeal is pending: decide it first.', noPendingAppeal: 'There is no pending appeal to decide.',
    appealDeciderIsRecorder: 'You recorded the penalty, so another supervisor must decide the appeal.',
    needsReason: 'Give a reason for the withdrawal.', versionMoved: 'Someone else changed the case while you were working. It has been reloaded: check it and try again.',
    notInStage: 'This cannot be done while the case is “{stage}”.', needsRoles: 'This needs one of the roles: {roles}.',
    badToken: 'The token is not valid: it is unknown, mistyped or revoked.',
  },
  fieldError: {
    required: 'Required.', tooShort: 'At least {min} characters.', tooLong: 'At most {max} characters.', tooLarge: 'At most {max}.',
    tooSmall: 'At least {min}.', tooMany: 'At most {max} items.', wholeNumber: 'A whole number, without decimals.', chooseOne: 'Choose one of the options.',
    dateTime: 'A valid date and time.', httpUrl: 'A full web address starting with http:// or https://.', urlEvidence: 'A web page needs its address.',
    sha256: '64 hexadecimal characters (a SHA-256 digest).', languageTag: 'A language code such as vi or en.', unique: 'Each value only once.',
    safeText: 'Contains characters that are not allowed.', unknownField: 'Not a field of this form.', invalid: 'This value is not valid.',
  },
  form: { choose: 'Choose…', notGiven: 'Not given', addRow: 'Add', removeRow: 'Remove', sending: 'Sending…' },
  forms: forms({
    submit: { title: 'Report', submit: 'Submit report', done: 'Report received.' },
    verify: { title: 'Record the verdict', submit: 'Record verdict', done: 'Verdict recorded.', intro: 'False and misleading verdicts need at least one evidence item.' },
    refer: { title: 'Refer to the competent authority', submit: 'Refer', done: 'Case referred.' },
    penalty: { title: 'Record the penalty decision', submit: 'Record penalty', done: 'Penalty recorded.' },
    noViolation: { title: 'Record that no violation was found', submit: 'Record no violation', done: 'Case closed: no violation.' },
    fileAppeal: { title: 'Record an appeal', submit: 'Record appeal', done: 'Appeal recorded.' },
    decideAppeal: { title: 'Record the appeal decision', submit: 'Record decision', done: 'Appeal decision recorded.' },
    close: { title: 'Close the case', submit: 'Close case', done: 'Case closed.', intro: 'Closes the case with the penalty enforced.' },
    withdraw: { title: 'Withdraw the case', submit: 'Withdraw case', done: 'Case withdrawn.', intro: 'Closes the case as withdrawn. This cannot be undone.' },
    note: { title: 'Add a note', submit: 'Add note', done: 'Note added.' },
    evidence: { title: 'Add evidence', submit: 'Add evidence', done: 'Evidence added.' },
  }),
  field: {
    'group.item': 'The item', 'group.report': 'The report', 'group.claim': 'The claim', 'group.subject': 'Person or account penalized',
    'item.platform': 'Platform', 'item.url': 'Address (URL) of the item', 'item.accountHandle': 'Account handle', 'item.accountName': 'Account name',
    'item.content': 'Content of the item', 'item.contentType': 'Content type', 'item.language': 'Language of the content', 'item.capturedAt': 'Captured at',
    'report.source': 'Source of the report', 'report.reporterRef': 'Reporter reference', 'report.receivedAt': 'Report received at',
    claim: 'What the item asserts that is said to be false', category: 'Category', priority: 'Priority',
    verdict: 'Verdict', rationale: 'Rationale', evidence: 'Evidence', 'evidence.kind': 'Kind', 'evidence.url': 'Address (URL)',
    'evidence.description': 'Description', 'evidence.sha256': 'SHA-256 of the file', kind: 'Kind', url: 'Address (URL)', description: 'Description',
    sha256: 'SHA-256 of the file', 'authority.code': 'Authority code', 'authority.name': 'Authority name', referenceNo: 'Reference number',
    dueAt: 'Answer due by', note: 'Note', decisionNo: 'Decision number', issuedAt: 'Issued at', legalBasis: 'Legal basis',
    'legalBasis.instrument': 'Legal instrument', 'legalBasis.article': 'Article', 'legalBasis.clause': 'Clause',
    'subject.accountHandle': 'Account handle', 'subject.name': 'Name', 'fine.amount': 'Fine (VND)', remedies: 'Remedies ordered', facts: 'Facts',
    filedAt: 'Filed at', grounds: 'Grounds', decision: 'Decision', 'compliance.contentRemoved': 'The content was removed',
    'compliance.finePaid': 'The fine was paid', reason: 'Reason', text: 'Note',
  } as Record<string, string>,
  hint: {
    'item.url': 'As found, including its query string: tracking parameters are ignored when looking for duplicates.',
    'item.capturedAt': 'When the item was seen, in your time zone.', 'item.language': 'A language code: vi, en…',
    claim: 'One or two sentences: the assertion to verify.', 'fine.amount': 'In đồng, without decimals.',
    'evidence.sha256': 'Optional: the digest of a file kept elsewhere.', sha256: 'Optional: the digest of a file kept elsewhere.',
    'authority.code': 'For example STTTT-HN.',
  } as Record<string, string>,
  submitPage: {
    title: 'New report', received: 'Report {reference} received.',
    intro: 'One report per item. Fields marked * are required; the others help the verifier.',
  },
  casesPage: {
    title: 'Cases', mine: 'My cases', caption: 'Cases, newest first', search: 'Search', searchHint: 'Reference, address or claim.',
    filter: { stage: 'Stage', outcome: 'Outcome', platform: 'Platform', category: 'Category' }, any: 'Any', apply: 'Apply', reset: 'Clear filters',
    countsLabel: 'Cases by stage', shown: '{n} cases shown, newest first.', empty: 'No case matches.', more: 'Show more',
    col: { reference: 'Reference', claim: 'Claim', stage: 'Stage', priority: 'Priority', platform: 'Platform · category', received: 'Received', sla: 'Deadline' },
  },
  worklistPage: {
    title: 'Verification worklist', intro: 'Received cases to verify, most urgent first, then oldest. Claim a case before you research it.',
    empty: 'Nothing to verify right now.', age: 'Age', claim: 'Claim', action: 'Action', unclaimed: 'Not claimed',
    claimedBy: 'Claimed by {who} until {until}', claimedByYou: 'Claimed by you until {until}', claimAction: 'Claim', open: 'Open',
    claimed: 'You claimed {reference}.',
  },
  casePage: {
    title: 'Case', heading: 'Case {reference}', back: 'All cases', notFoundTitle: 'Case not found',
    notFound: 'This case does not exist, or you may not see it.', actions: 'What you can do',
    claimIntro: 'Claim the case so that no other verifier works on it at the same time.', claim: 'Claim this case',
    tools: 'Audit tools', asOfLabel: 'See the case as it stood at', asOfHint: 'Date and time in {zone}.', asOfShow: 'Show',
    asOfBanner: 'You are looking at the case as it stood at {when}. Nothing can be changed in this view.', asOfBack: 'Back to the present',
    export: 'Export the case bundle', exported: 'Bundle of {reference} downloaded.',
  },
  details: {
    status: 'Status', stage: 'Stage', priority: 'Priority', deadline: 'Deadline', deadlineAt: 'Stage deadline', claimedBy: 'Claimed by', until: 'until',
    submittedBy: 'Submitted by', createdAt: 'Received', updatedAt: 'Last change', version: 'Version', duplicateOf: 'Duplicate of',
    claimTitle: 'The claim', category: 'Category', item: 'The item', platform: 'Platform', url: 'Address', accountHandle: 'Account handle',
    accountName: 'Account name', content: 'Content', contentType: 'Content type', language: 'Language', capturedAt: 'Captured at',
    report: 'The report', source: 'Source', reporterRef: 'Reporter reference', receivedAt: 'Received at',
    verdict: 'Verification', verdictValue: 'Verdict', rationale: 'Rationale', evidence: 'Evidence', verifiedBy: 'Verified by', verifiedAt: 'Verified at',
    referral: 'Referral', authority: 'Authority', referenceNo: 'Reference number', dueAt: 'Answer due by', note: 'Note', referredAt: 'Referred at',
    penalty: 'Penalty', decisionNo: 'Decision number', issuedAt: 'Issued at', fine: 'Fine', legalBasis: 'Legal basis', article: 'article',
    clause: 'clause', subject: 'Penalized', remedies: 'Remedies', facts: 'Facts', recordedBy: 'Recorded by',
    appeal: 'Appeal', appealStatus: 'Status', filedAt: 'Filed at', grounds: 'Grounds', decidedBy: 'Decided by', decidedAt: 'Decided at',
  },
  timeline: {
    title: 'Audit trail', count: '{n} events, oldest first.', hashes: 'Hashes', prevHash: 'Previous hash', hash: 'Hash',
    asOfHere: 'See the case as of this event', afterAsOf: 'After the moment shown.',
  },
  audit: { label: 'Hash chain', verified: 'verified', broken: 'broken', checking: 'checking…', unavailable: 'not checked', brokenAt: 'first break at event #{seq}' },
  statsPage: {
    title: 'Statistics', window: 'From {from} to {to}.', now: 'Cases now', total: 'in all', overdue: 'past their deadline',
    sla: 'Deadlines and time in stage', stage: 'Stage', overdueNow: 'Past deadline now', breachesIn: 'Deadlines missed (last {n} days)',
    median: 'Median time', p90: '90th percentile', visits: 'Stage visits', outcomes: 'Closed cases by outcome', outcome: 'Outcome', cases: 'Cases',
    stagesChart: 'Open cases by stage, day by day', stagesChartDesc: 'Open cases in each stage at the end of each of the last {n} days (UTC).',
    breachesChart: 'Deadlines missed, day by day', breachesChartDesc: 'SLA breaches recorded on each of the last {n} days (UTC), by stage.',
    showTable: 'Show the numbers', day: 'Day',
  },
  accessLogPage: {
    title: 'Access log', intro: 'Every read of a case, its trail or its export by a supervisor, newest first.', empty: 'No reads recorded.',
    at: 'When', who: 'Who', action: 'What', case: 'Case', purpose: 'Purpose', forCase: 'Reads of case {id} only.', all: 'Show all', only: 'only this case',
    actions: { 'case.read': 'Read the case', 'case.events.read': 'Read the trail', 'case.export': 'Exported the bundle' } as Record<string, string>,
  },
};

export type Catalog = typeof en;
