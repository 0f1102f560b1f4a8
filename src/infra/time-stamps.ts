import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

// RFC 3161 time stamps of signed tree heads (docs/audit-format.md §7): a request for the
// SHA-256 of the head's bytes, the authority's answer kept whole (DER), and its check offline
// against the authority's certificate.

const SHA256_OID = '2.16.840.1.101.3.4.2.1';

let engineSet = false;
function engine(): void {
  if (engineSet) return;
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: globalThis.crypto }));
  engineSet = true;
}

/** Asks the authority at `url` to time-stamp `data`; the DER TimeStampResp it granted. */
export async function requestTimeStamp(url: string, data: Uint8Array, timeoutMs = 10_000): Promise<Buffer> {
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID }),
      hashedMessage: new asn1js.OctetString({ valueHex: createHash('sha256').update(data).digest() }),
    }),
    nonce: new asn1js.Integer({ valueHex: Buffer.concat([Buffer.from([0x01]), randomBytes(8)]) }),
    certReq: true,
  });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/timestamp-query' },
    body: Buffer.from(request.toSchema().toBER()),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`the time-stamp authority answered ${response.status}`);
  const der = Buffer.from(await response.arrayBuffer());
  const parsed = pkijs.TimeStampResp.fromBER(der);
  const status = parsed.status.status;
  if (status !== pkijs.PKIStatus.granted && status !== pkijs.PKIStatus.grantedWithMods)
    throw new Error(`the time-stamp authority refused: status ${status}`);
  return der;
}

export type TimeStampCheck = { ok: true; time: string } | { ok: false; reason: string };

/** Checks a kept TimeStampResp against `data` and the authority's certificate (PEM), offline. */
export async function checkTimeStamp(
  response: Uint8Array,
  data: Uint8Array,
  certificatePem: string,
): Promise<TimeStampCheck> {
  engine();
  try {
    const parsed = pkijs.TimeStampResp.fromBER(response);
    const body = certificatePem.replace(/-----[^-]+-----|\s/gu, '');
    const certificate = pkijs.Certificate.fromBER(Buffer.from(body, 'base64'));
    // The imprint against the data, and the CMS signature.
    const ok = await parsed.verify({ signer: 0, trustedCerts: [certificate], data: new Uint8Array(data).buffer });
    if (!ok) return { ok: false, reason: 'the time stamp does not verify under the authority certificate' };
    // The signer must be the configured authority itself, not any certificate the token carries.
    const signed = new pkijs.SignedData({ schema: parsed.timeStampToken?.content });
    const sid = signed.signerInfos[0]?.sid;
    const signerCertificate = (signed.certificates ?? []).find(
      (c): c is pkijs.Certificate =>
        c instanceof pkijs.Certificate &&
        sid instanceof pkijs.IssuerAndSerialNumber &&
        c.serialNumber.isEqual(sid.serialNumber) &&
        c.issuer.isEqual(sid.issuer),
    );
    const signerDer = signerCertificate === undefined ? null : Buffer.from(signerCertificate.toSchema().toBER());
    if (signerDer === null || !signerDer.equals(Buffer.from(body, 'base64')))
      return { ok: false, reason: 'the time stamp does not come from the configured authority certificate' };
    const info = pkijs.TSTInfo.fromBER(
      (signed.encapContentInfo.eContent as asn1js.OctetString).valueBlock.valueHexView,
    );
    return { ok: true, time: info.genTime.toISOString() };
  } catch (error) {
    return { ok: false, reason: `the time stamp does not hold: ${(error as Error).message}` };
  }
}
