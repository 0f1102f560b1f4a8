// A client that sends a request slowly over a raw socket, as a slowloris attack does: the
// bytes given, then one more every `everyMs`, until the server closes the connection or
// `withinMs` runs out. Resolves with what the server answered and when it closed.
import net from 'node:net';

export type SlowExchange = {
  /** True when the server closed the connection within the bound. */
  closed: boolean;
  afterMs: number;
  /** The raw bytes the server sent, as text. */
  answer: string;
  status: number | null;
  headers: Headers;
  body: string;
};

export async function sendSlowly(
  baseUrl: string,
  options: { start: string; trickle: string; everyMs: number; withinMs: number },
): Promise<SlowExchange> {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect({ host: hostname, port: Number(port) });
  const started = performance.now();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(options.start);
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.writable) socket.write(options.trickle[sent++ % options.trickle.length] ?? ' ');
  }, options.everyMs);
  let bound: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
    new Promise<boolean>((resolve) => {
      bound = setTimeout(() => resolve(false), options.withinMs);
    }),
  ]);
  clearInterval(timer);
  clearTimeout(bound);
  const afterMs = performance.now() - started;
  socket.destroy();
  return { closed, afterMs, ...parseAnswer(Buffer.concat(chunks).toString('utf8')) };
}

function parseAnswer(answer: string): Pick<SlowExchange, 'answer' | 'status' | 'headers' | 'body'> {
  const [head = '', ...rest] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/u.exec(statusLine)?.[1];
  const headers = new Headers();
  for (const line of lines) {
    const at = line.indexOf(':');
    if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return { answer, status: status === undefined ? null : Number(status), headers, body: rest.join('\r\n\r\n') };
}
