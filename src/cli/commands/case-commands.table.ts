// The case commands of the command line (SPEC §5): the table both their definitions and
// their action read. Plain data: loading it costs `casetrail --help` nothing.

export type Flag = { flags: string; description: string; repeatable?: boolean; choices?: readonly string[] };

/**
 * The case commands of the command line, one per command of the API (SPEC §5): the API
 * path each posts to and the flags that build its body. The body may also come whole from
 * --json-input; a flag given beside it wins.
 */
export const CASE_COMMANDS = {
  claim: { path: 'claim', description: 'claim a received case for verification (verifier)', flags: [] },
  verify: {
    path: 'verify',
    description: 'record a verdict with evidence (verifier holding the claim)',
    flags: [
      {
        flags: '--verdict <verdict>',
        description: 'the verdict',
        choices: ['false', 'misleading', 'accurate', 'unverifiable'],
      },
      { flags: '--rationale <text>', description: 'why' },
      { flags: '--evidence-url <url>', description: 'a source that shows it (repeatable)', repeatable: true },
    ],
  },
  refer: {
    path: 'refer',
    description: 'refer a verified case to the competent authority (supervisor)',
    flags: [
      { flags: '--authority-code <code>', description: 'code of the authority, e.g. STTTT-LD' },
      { flags: '--authority-name <name>', description: 'name of the authority' },
      { flags: '--reference-no <no>', description: "the referral's reference number" },
      { flags: '--note <text>', description: 'a note to the authority' },
      { flags: '--due-at <time>', description: 'RFC 3339 time the answer is due' },
    ],
  },
  penalty: {
    path: 'penalty',
    description: "record the authority's penalty decision (supervisor)",
    flags: [
      { flags: '--decision-no <no>', description: 'decision number, unique across cases' },
      { flags: '--authority-code <code>', description: 'code of the deciding authority' },
      { flags: '--authority-name <name>', description: 'name of the deciding authority' },
      { flags: '--issued-at <time>', description: 'RFC 3339 time the decision was issued' },
      {
        flags: '--legal-basis <instrument|article[|clause]>',
        description: 'a legal basis, fields separated by | (repeatable)',
        repeatable: true,
      },
      { flags: '--account-handle <handle>', description: 'the account penalised' },
      { flags: '--subject-name <name>', description: 'the person or organisation penalised' },
      { flags: '--fine <amount>', description: 'fine in VND (an integer)' },
      {
        flags: '--remedy <remedy>',
        description: 'remedy ordered (repeatable)',
        repeatable: true,
        choices: ['remove_content', 'publish_correction', 'suspend_account', 'other'],
      },
      { flags: '--facts <text>', description: 'the facts the decision states' },
    ],
  },
  'no-violation': {
    path: 'no-violation',
    description: 'record that the authority found no violation (supervisor)',
    flags: [
      { flags: '--authority-code <code>', description: 'code of the authority' },
      { flags: '--authority-name <name>', description: 'name of the authority' },
      { flags: '--note <text>', description: "the authority's answer" },
    ],
  },
  appeal: {
    path: 'appeal',
    description: 'record an appeal against the penalty (supervisor)',
    flags: [
      { flags: '--filed-at <time>', description: 'RFC 3339 time the appeal was filed' },
      { flags: '--grounds <text>', description: 'grounds of the appeal' },
    ],
  },
  'decide-appeal': {
    path: 'appeal-decision',
    description: 'record the decision on the appeal (supervisor, not the penalty recorder)',
    flags: [
      { flags: '--decision <decision>', description: 'the decision', choices: ['upheld', 'overturned'] },
      { flags: '--note <text>', description: 'the reasons' },
    ],
  },
  close: {
    path: 'close',
    description: 'close a case whose penalty is enforced (supervisor)',
    flags: [
      { flags: '--content-removed', description: 'the content was removed' },
      { flags: '--fine-paid', description: 'the fine was paid' },
      { flags: '--correction-published', description: 'the correction was published' },
      { flags: '--account-suspended', description: 'the account was suspended' },
      { flags: '--note <text>', description: 'a closing note' },
    ],
  },
  withdraw: {
    path: 'withdraw',
    description: 'withdraw an open case (supervisor)',
    flags: [{ flags: '--reason <text>', description: 'why' }],
  },
  note: {
    path: 'notes',
    description: 'add a note to a case (anyone who can see it)',
    flags: [{ flags: '--text <text>', description: 'the note' }],
  },
  evidence: {
    path: 'evidence',
    description: 'add an evidence item to an open case (verifier, supervisor)',
    flags: [
      {
        flags: '--kind <kind>',
        description: 'kind of evidence',
        choices: ['url', 'document', 'screenshot', 'archive', 'note'],
      },
      { flags: '--url <url>', description: 'where it is' },
      { flags: '--sha256 <hex>', description: 'digest of the document' },
      { flags: '--description <text>', description: 'what it shows' },
    ],
  },
} as const satisfies Record<string, { path: string; description: string; flags: readonly Flag[] }>;

export type CaseCommandName = keyof typeof CASE_COMMANDS;
