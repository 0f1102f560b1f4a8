import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document is generated from the routes' zod schemas (the same ones that
 * validate and serialize); /docs serves Swagger UI from the package's own assets, no CDN.
 * Register before the routes it documents.
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'casetrail API',
        version: '1',
        description:
          'Case handling for reports of false information online. Commands answer 202 and are applied by ' +
          'workers; ?wait=true waits up to 10 s for the outcome. Errors are RFC 9457 problem documents.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token (ct_...)' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(async (docs) => {
    docs.addHook('onRequest', async (request, reply) => {
      // Swagger UI's own redirect of this page keeps the query and so pointed back at itself.
      const [path, query] = splitQuery(request.url);
      if (path === '/docs/static/index.html') return reply.redirect(`/docs/${query}`);
      return undefined;
    });
    // The docs are never framed: no clickjacking of a page that holds a token.
    docs.addHook('onSend', async (_request, reply) => {
      reply.header('x-frame-options', 'DENY');
    });
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/frame-ancestors [^;]*/u, "frame-ancestors 'none'"),
    });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

function splitQuery(url: string): [string, string] {
  const at = url.indexOf('?');
  return at === -1 ? [url, ''] : [url.slice(0, at), url.slice(at)];
}
