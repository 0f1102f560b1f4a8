// A webhook receiver on 127.0.0.1: records every request with its raw body, and answers
// what the test tells it to (200 unless told otherwise).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export type ReceivedRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
};

export interface WebhookReceiver {
  url(path?: string): string;
  requests: ReceivedRequest[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Decides the status of each request (default 200). */
  answer(decide: (request: Omit<ReceivedRequest, 'answered'>) => number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let decide: (request: Omit<ReceivedRequest, 'answered'>) => number = () => 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const status = decide(request);
      requests.push({ ...request, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: (path = '/hooks') => `http://127.0.0.1:${port}${path}`,
    requests,
    get connections() {
      return connections;
    },
    answer(next) {
      decide = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
