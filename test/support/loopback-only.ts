// A safety net for tests of outgoing connections: while it is on, this process may connect
// only to loopback. A connection to any other address (given as a literal, or resolved from
// a name) fails in the test instead of leaving the machine, and is recorded.
import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import { vi } from 'vitest';

const isLoopback = (address: string) => /^127\./u.test(address) || address === '::1' || /^::ffff:127\./iu.test(address);

export interface LoopbackOnly {
  /** Every address a socket was about to connect to, loopback or not. */
  attempted: string[];
  /** The non-loopback ones, refused. */
  refused: string[];
  restore(): void;
}

export function loopbackOnly(): LoopbackOnly {
  const attempted: string[] = [];
  const refused: string[] = [];
  const original = net.connect;
  const check = (address: string): Error | null => {
    attempted.push(address);
    if (isLoopback(address)) return null;
    refused.push(address);
    return new Error(`test: connection to ${address} refused (loopback only)`);
  };
  const spy = vi.spyOn(net, 'connect').mockImplementation(((...args: unknown[]) => {
    const options = args[0];
    if (typeof options !== 'object' || options === null) return (original as (...a: unknown[]) => net.Socket)(...args);
    const opts = options as net.TcpNetConnectOpts;
    const host = opts.host ?? 'localhost';
    if (net.isIP(host) !== 0) {
      const error = check(host);
      if (error !== null) throw error;
      return original(opts, args[1] as () => void);
    }
    const inner = (opts.lookup ?? dns.lookup) as LookupFunction;
    const guarded: LookupFunction = (hostname, lookupOptions, callback) =>
      inner(hostname, lookupOptions, ((error: NodeJS.ErrnoException | null, address: unknown, family?: number) => {
        if (error !== null) return callback(error, '', 0);
        const list = Array.isArray(address)
          ? (address as { address: string }[]).map((a) => a.address)
          : [address as string];
        for (const candidate of list) {
          const refusal = check(candidate);
          if (refusal !== null) return callback(refusal, '', 0);
        }
        return (callback as (e: null, a: unknown, f?: number) => void)(null, address, family);
      }) as Parameters<LookupFunction>[2]);
    return original({ ...opts, lookup: guarded }, args[1] as () => void);
  }) as typeof net.connect);
  return { attempted, refused, restore: () => spy.mockRestore() };
}
