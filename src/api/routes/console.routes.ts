import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the console (vite.config.ts in console/ says the same). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

// The console is served from its own origin and needs nothing else: scripts, styles and
// fonts are bundled, and it only talks to this API.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // blob: for the thumbnails of evidence files, fetched with the user's token.
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built console at `/`. Files are listed once at start (no wildcard route), so
 * every other path still answers the API's own 404 problem document. Assets carry a content
 * hash in their names and are cached for good; index.html is revalidated on every load.
 */
export async function registerConsole(app: FastifyInstance, dir: string | null): Promise<void> {
  if (dir === null) return;
  if (!existsSync(`${dir}/index.html`)) {
    app.log.warn({ dir }, 'console not built; run npm run build');
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    decorateReply: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      const immutable = path.includes('/assets/');
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
    },
  });
}
