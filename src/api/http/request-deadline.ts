import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route streams a body that may take longer than the request timeout (an evidence
     * file): it must keep sending instead (see watchProgress).
     */
    streamedBody?: boolean;
  }
}

// Node's requestTimeout bounds the whole of every request on a server; an upload of a few
// hundred MiB takes longer than that on most links. So the server runs without it and this
// gives each request the same deadline, from its headers to its body, unless its route
// streams (and watches the progress of) its body itself. Past the deadline the connection
// gets exactly what Node's own timeout gives it: ERR_HTTP_REQUEST_TIMEOUT, which the
// server's client error handler answers with a 408 problem document before closing.

const deadlines = new WeakMap<FastifyRequest, NodeJS.Timeout>();

export function registerRequestDeadline(app: FastifyInstance, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.streamedBody === true) return;
    const socket = request.raw.socket;
    deadlines.set(
      request,
      setTimeout(() => timeOut(socket), timeoutMs),
    );
  });
  // The body has been read (and parsed) once validation starts.
  const clear = async (request: FastifyRequest) => {
    clearTimeout(deadlines.get(request));
    deadlines.delete(request);
  };
  app.addHook('preValidation', clear);
  app.addHook('onResponse', clear);
  app.addHook('onRequestAbort', clear);
}

/**
 * For a route that streams its body: every windowMs, at least minBytes more must have
 * arrived, or the request times out as above. Returns the function that stops watching.
 */
export function watchProgress(request: FastifyRequest, windowMs: number, minBytes: number): () => void {
  if (windowMs <= 0) return () => undefined;
  let received = 0;
  let checked = 0;
  const count = (chunk: Buffer) => {
    received += chunk.length;
  };
  request.raw.on('data', count);
  const timer = setInterval(() => {
    if (received - checked < minBytes) timeOut(request.raw.socket);
    checked = received;
  }, windowMs);
  return () => {
    clearInterval(timer);
    request.raw.off('data', count);
  };
}

function timeOut(socket: Socket): void {
  if (socket.destroyed) return;
  socket.emit(
    'error',
    Object.assign(new Error('the request was not received in time'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
  );
}
