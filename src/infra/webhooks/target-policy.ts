import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

type TargetVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Where webhooks may connect. Only public unicast addresses, unless an address falls in an
 * allowed CIDR (an in-house receiver): loopback, private, link-local (cloud metadata),
 * unique-local, shared (100.64/10), multicast, broadcast, unspecified and reserved
 * addresses are refused, and so are IPv6 forms that embed one of them (IPv4-mapped,
 * NAT64, 6to4). A receiver must not be a way to reach, or probe, the network casetrail
 * runs in.
 */
export interface TargetPolicy {
  /** An IP address in any textual form a socket or a resolver gives (IPv4 or IPv6, no brackets). */
  checkAddress(address: string): TargetVerdict;
  /**
   * A URL's host as `new URL()` leaves it (IPv4 literals normalized to dotted form, IPv6 in
   * brackets). Names are judged at connect time, on what they resolve to; only names that
   * always mean this machine are refused here.
   */
  checkHost(hostname: string): TargetVerdict;
}

/** Parses `10.1.0.0/16`, `127.0.0.1` (one address) or `fd00::/8`; null when it is not one. */
export function parseCidr(value: string): Cidr | null {
  const text = value.trim();
  if (text.includes('/')) {
    if (ipaddr.IPv4.isValidCIDRFourPartDecimal(text)) return ipaddr.IPv4.parseCIDR(text);
    return ipaddr.IPv6.isValidCIDR(text) ? ipaddr.IPv6.parseCIDR(text) : null;
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return [ipaddr.IPv4.parse(text), 32];
  return ipaddr.IPv6.isValid(text) ? [ipaddr.IPv6.parse(text), 128] : null;
}

const RANGE_WORDS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'shared (100.64.0.0/10)',
  private: 'private',
  uniqueLocal: 'unique-local',
  reserved: 'reserved',
  benchmarking: 'reserved for benchmarking',
  teredo: 'a Teredo tunnel',
};

/** The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const parts = address.parts;
  const lastTwo = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  switch (address.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return lastTwo(parts[6] ?? 0, parts[7] ?? 0);
    case 'rfc6052':
      // The well-known NAT64 prefix 64:ff9b::/96 carries the IPv4 address in its last 32 bits;
      // the local-use 64:ff9b:1::/48 has no fixed layout and is refused as special-purpose.
      return parts[2] === 0 ? lastTwo(parts[6] ?? 0, parts[7] ?? 0) : null;
    case '6to4':
      return lastTwo(parts[1] ?? 0, parts[2] ?? 0);
    default:
      return null;
  }
}

function inAny(address: Address, cidrs: readonly Cidr[]): boolean {
  return cidrs.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}

export function createTargetPolicy(allowCidrs: readonly string[] = []): TargetPolicy {
  const allowed = allowCidrs.map((text) => {
    const cidr = parseCidr(text);
    if (cidr === null) throw new Error(`not an IP address or CIDR: ${text}`);
    return cidr;
  });

  /** Why the address is refused (null: it is not). */
  const refusal = (address: Address): string | null => {
    if (inAny(address, allowed)) return null;
    if (address.kind() === 'ipv6') {
      const v6 = address as ipaddr.IPv6;
      const v4 = embeddedIPv4(v6);
      if (v4 !== null) {
        const inner = refusal(v4);
        return inner === null ? null : `${inner} (IPv4 ${v4.toString()})`;
      }
      // ::/8 holds loopback, unspecified, the deprecated IPv4-compatible form and more.
      if (v6.parts[0] === 0 && v6.range() === 'unicast') return 'reserved';
    }
    const range = address.range();
    return range === 'unicast' ? null : (RANGE_WORDS[range] ?? 'special-purpose');
  };

  const checkAddress = (text: string): TargetVerdict => {
    // A socket's remoteAddress may carry a zone (fe80::1%eth0): it is link-local either way.
    const bare = text.replace(/%.*$/u, '');
    if (!ipaddr.isValid(bare)) return { ok: false, reason: `address ${text} is not an IP address` };
    const address = ipaddr.parse(bare);
    const why = refusal(address);
    return why === null ? { ok: true } : { ok: false, reason: `address ${address.toString()} is ${why}` };
  };

  return {
    checkAddress,
    checkHost(hostname) {
      const host = hostname.toLowerCase().replace(/\.$/u, '');
      if (host.startsWith('[') && host.endsWith(']')) return checkAddress(host.slice(1, -1));
      // WHATWG URL parsing has already turned 127.1, 0x7f.1 and 2130706433 into dotted form.
      if (ipaddr.IPv4.isValidFourPartDecimal(host)) return checkAddress(host);
      if (host === 'localhost' || host.endsWith('.localhost')) {
        return inAny(ipaddr.IPv4.parse('127.0.0.1'), allowed)
          ? { ok: true }
          : { ok: false, reason: `host ${host} is loopback` };
      }
      return { ok: true };
    },
  };
}
