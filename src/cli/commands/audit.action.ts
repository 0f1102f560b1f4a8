import { open, readFile, rename, writeFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { verifiedStateSchema, verifyLogSince, type VerifiedState } from '../../app/verify-log.ts';
import { verifyTrail, type TrailReport } from '../../app/verify-trail.ts';
import {
  checkBundleFiles,
  describeFailure,
  failureLocation,
  BUNDLE_V2_FORMAT,
  bundleV2Schema,
  parseStrictJson,
  signedTreeHeadBytes,
  verifyBundle,
  type AuditFailure,
  type BundleV2,
  type BundleReport,
  type FileCheck,
} from '../../domain/index.ts';
import { loadConfig } from '../../infra/config/config.ts';
import { isZip, readBundleArchive } from '../../infra/files/bundle-archive.ts';
import { checkTimeStamp, type TimeStampCheck } from '../../infra/time-stamps.ts';
import { openRuntime } from '../../infra/runtime.ts';
import { createApiClient } from '../api-client.ts';
import { CliError, EXIT } from '../exit.ts';
import { printResult } from '../output.ts';
import { pinnedKeyIds, readPublicKey } from '../public-key.ts';

export type VerifyFlags = {
  case?: string;
  bundle?: string;
  since?: string;
  publicKey?: string;
  trustedKeys?: string;
  tsaCert?: string;
  json?: boolean;
};
export type ExportFlags = { out?: string; purpose?: string; apiUrl?: string; token?: string; json?: boolean };

export async function verifyAudit(flags: VerifyFlags): Promise<void> {
  if (flags.bundle !== undefined && flags.case !== undefined)
    throw new CliError('--case does not apply to --bundle: a bundle holds one case');
  if (flags.since !== undefined && (flags.bundle !== undefined || flags.case !== undefined))
    throw new CliError('--since verifies the whole log from a kept head: it takes no --case or --bundle');
  if (flags.bundle !== undefined) return verifyBundleFile(flags.bundle, await pinnedKeyIds(flags), flags);
  const trusted = flags.publicKey === undefined ? undefined : await readPublicKey(flags.publicKey);
  if (flags.since !== undefined) return verifySince(flags.since, trusted, flags);
  if (flags.trustedKeys !== undefined) throw new CliError('--trusted-keys applies to --bundle');
  if (flags.case !== undefined && !z.uuid().safeParse(flags.case).success)
    throw new CliError('--case: must be a case id (a UUID)');
  return verifyDatabase(flags, trusted);
}

export async function exportCase(caseId: string, flags: ExportFlags): Promise<void> {
  if (!z.uuid().safeParse(caseId).success) throw new CliError('case: must be a case id (a UUID)');
  const config = loadConfig();
  const request = createApiClient({
    url: flags.apiUrl ?? config.CASETRAIL_API_URL,
    token: flags.token ?? config.CASETRAIL_TOKEN,
  });
  const query = flags.purpose === undefined ? '' : `?${new URLSearchParams({ purpose: flags.purpose })}`;
  const bundle = await request<BundleV2>('GET', `/v1/cases/${caseId}/export${query}`);
  const text = `${JSON.stringify(bundle, null, 2)}\n`;
  if (flags.out === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeFile(flags.out, text, { flag: 'w' });
  const summary = {
    file: flags.out,
    caseId,
    reference: bundle.case.reference,
    events: bundle.events.length,
    treeSize: bundle.treeHead?.treeSize ?? 0,
  };
  printResult(
    flags,
    summary,
    () =>
      `wrote ${summary.reference} (${summary.events} events, proved in the log of ${summary.treeSize}) to ${flags.out}`,
  );
}

async function verifyBundleFile(
  file: string,
  trusted: ReadonlySet<string> | undefined,
  flags: VerifyFlags,
): Promise<void> {
  let text: string;
  let archive: Awaited<ReturnType<typeof readBundleArchive>> | null = null;
  try {
    const head = Buffer.alloc(4);
    const handle = await open(file, 'r');
    try {
      await handle.read(head, 0, 4, 0);
    } finally {
      await handle.close();
    }
    if (isZip(head)) {
      archive = await readBundleArchive(file);
      text = archive.bundleText;
    } else {
      text = await readFile(file, 'utf8');
    }
  } catch (error) {
    throw new CliError(`--bundle: cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = parseStrictJson(text);
  let report: BundleReport & { files?: FileCheck } = parsed.ok
    ? verifyBundle(parsed.value, trusted === undefined ? {} : { trustedKeyIds: trusted })
    : { ok: false, failure: { caseId: null, seq: null, checkpoint: null, reason: parsed.reason, step: 'shape' } };
  if (archive !== null && report.ok && parsed.ok) report = withFiles(report, parsed.value, archive);
  let anchor: TimeStampCheck | null = null;
  if (report.ok && parsed.ok) {
    anchor = await checkAnchor(parsed.value, flags.tsaCert);
    if (anchor !== null && !anchor.ok)
      report = {
        ok: false,
        failure: { caseId: report.caseId, seq: null, checkpoint: null, reason: anchor.reason, step: 'anchor' },
      };
    else if (anchor !== null) report = { ...report, anchoredAt: anchor.time } as typeof report;
  }
  printResult(flags, report, () => {
    if (!report.ok) return describeFailure('bundle', report.failure);
    const sealed =
      report.format === BUNDLE_V2_FORMAT
        ? `${report.sealedEvents} proved in the log of ${report.treeSize}`
        : `${report.sealedEvents} sealed in ${report.checkpoints} checkpoints`;
    const summary =
      `${report.reference} (case ${report.caseId}), ${report.events} events, ${sealed}` +
      `${report.unsealedEvents > 0 ? `, ${report.unsealedEvents} not sealed yet` : ''}` +
      `${report.files?.ok ? `; ${report.files.checked} files match their hashes${report.files.erased > 0 ? ` (${report.files.erased} erased)` : ''}` : ''}` +
      `; key ${report.keyId}` +
      `${anchor?.ok ? `; time-stamped ${anchor.time}` : ''}`;
    return report.pinned
      ? `bundle verified: ${summary}`
      : `key not pinned: the bundle holds under its own key only, which anyone can make (pin one with --public-key or --trusted-keys): ${summary}`;
  });
  if (!report.ok) process.exitCode = EXIT.checkFailed;
  else if (!report.pinned) process.exitCode = EXIT.notPinned;
}

/**
 * The bundle's RFC 3161 time stamp against --tsa-cert: null when it has none; a bundle with
 * one and no certificate to check it is a usage error (the stamp would be taken on trust).
 */
async function checkAnchor(bundle: unknown, certificateFile: string | undefined): Promise<TimeStampCheck | null> {
  const parsed = bundleV2Schema.safeParse(bundle);
  if (!parsed.success || parsed.data.anchor === undefined || parsed.data.treeHead === null) return null;
  if (certificateFile === undefined) return null;
  let pem: string;
  try {
    pem = await readFile(certificateFile, 'utf8');
  } catch (error) {
    throw new CliError(`--tsa-cert: cannot read ${certificateFile}: ${(error as Error).message}`);
  }
  return checkTimeStamp(Buffer.from(parsed.data.anchor, 'base64'), signedTreeHeadBytes(parsed.data.treeHead), pem);
}

/** An archive's files, checked against the events of its bundle (docs/audit-format.md, "Archives"). */
function withFiles(
  report: Extract<BundleReport, { ok: true }>,
  bundle: unknown,
  archive: Awaited<ReturnType<typeof readBundleArchive>>,
): BundleReport & { files?: FileCheck } {
  const [stray] = archive.unexpected;
  if (stray !== undefined) {
    return {
      ok: false,
      failure: { caseId: null, seq: null, checkpoint: null, reason: `${stray} does not belong in a case archive` },
    };
  }
  const files = checkBundleFiles(bundle, archive.files);
  return files.ok ? { ...report, files } : { ok: false, failure: files.failure, files };
}

async function verifyDatabase(flags: VerifyFlags, trusted: KeyObject | undefined): Promise<void> {
  const runtime = await openRuntime({ migrate: false, role: 'audit', oneShot: true });
  let report: TrailReport;
  const status = statusLine();
  try {
    report = await verifyTrail(
      { pool: runtime.db.pool, publicKey: trusted ?? runtime.secrets.publicKey },
      { ...(flags.case === undefined ? {} : { caseId: flags.case }), onProgress: status.update },
    );
  } finally {
    status.done();
    await runtime.close();
  }
  printResult(flags, report, () => humanReport(report));
  if (!report.ok) process.exitCode = EXIT.checkFailed;
}

/** `--since STATE`: the log from the head kept in STATE (the whole log when STATE does not exist yet), then STATE moves on. */
async function verifySince(file: string, trusted: KeyObject | undefined, flags: VerifyFlags): Promise<void> {
  let state: VerifiedState | null = null;
  try {
    state = verifiedStateSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CliError(`--since: ${file} is not a state this command wrote (${(error as Error).message})`);
  }
  const runtime = await openRuntime({ migrate: false, role: 'audit', oneShot: true });
  let result: Awaited<ReturnType<typeof verifyLogSince>>;
  try {
    result = await verifyLogSince({ pool: runtime.db.pool, publicKey: trusted ?? runtime.secrets.publicKey }, state);
  } finally {
    await runtime.close();
  }
  const { report } = result;
  if (report.ok && result.state !== null) {
    await writeFile(`${file}.tmp`, `${JSON.stringify(result.state, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
  }
  printResult(flags, report, () => {
    const counts = `${report.events} new events and ${report.treeHeads} tree heads from size ${report.fromSize} to ${report.toSize}, ${report.casesMoved} cases moved; key ${report.keyId}`;
    if (report.ok) return `audit log verified: ${counts}`;
    const [first, ...rest] = report.failures;
    const also = rest.map((f) => `  also: ${failureLocation(f) || 'the log'}: ${f.reason}`);
    return [describeFailure('audit log', first as AuditFailure), ...also, `checked ${counts}`].join('\n');
  });
  if (!report.ok) process.exitCode = EXIT.checkFailed;
}

function humanReport(r: TrailReport): string {
  const scope = r.caseId === null ? 'audit trail' : `case ${r.caseId}`;
  const counts = `${r.cases} cases, ${r.events} events, ${r.checkpoints} checkpoints (sealed through event ${r.sealedThroughEventId}; ${r.unsealedEvents} not sealed yet); key ${r.keyId}`;
  if (r.ok) return `${scope} verified: ${counts}`;
  const [first, ...rest] = r.failures;
  const also = rest.map((f) => `  also: ${failureLocation(f) || 'the trail'}: ${f.reason}`);
  return [describeFailure(scope, first as AuditFailure), ...also, `checked ${counts}`].join('\n');
}

/** A one-line progress count on a terminal's stderr; nothing when piped. */
function statusLine(): { update: (p: { events: number; checkpoints: number }) => void; done: () => void } {
  const stream = process.stderr;
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let shown = false;
  return {
    update: (p) => {
      stream.write(`\rverifying: ${p.events} events, ${p.checkpoints} checkpoints`);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
