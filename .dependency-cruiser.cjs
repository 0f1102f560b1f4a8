// The layer rules of the server (npm run depcruise): the domain depends on nothing of ours
// and on no driver or framework; the application layer on the domain and the adapters it
// drives; the adapters never on the layers that drive them; the API reaches the database
// only through the application layer. Type-only imports count: a layer that names another
// layer's types depends on it.

/** Packages that tie code to a database, a queue, a web framework or a logger. */
const INFRASTRUCTURE_PACKAGES =
  '^node_modules/(@prisma/[^/]+|prisma|pg|pg-[^/]+|bullmq|ioredis|fastify|@fastify/[^/]+|fastify-[^/]+|@bull-board/[^/]+|pino|pino-[^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-independent',
      comment: 'src/domain is pure: no other layer of casetrail, no database, queue, web or logging package.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: ['^src/(app|infra|api|cli|bench|generated)/', '^workers/', INFRASTRUCTURE_PACKAGES] },
    },
    {
      name: 'app-not-to-drivers',
      comment: 'src/app is driven by the API, the CLI and the workers; it never depends on them.',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: ['^src/(api|cli|bench)/', '^workers/'] },
    },
    {
      name: 'infra-not-to-upper-layers',
      comment: 'src/infra holds the adapters: it depends on the domain only, never on the layers that use it.',
      severity: 'error',
      from: { path: '^src/infra/' },
      to: { path: ['^src/(app|api|cli|bench)/', '^workers/'] },
    },
    {
      name: 'workers-not-to-api-or-cli',
      comment: 'The workers run without the HTTP API and the CLI.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: ['^src/(api|cli|bench)/'] },
    },
    {
      name: 'api-database-through-app',
      comment:
        'src/api reaches the database only through src/app: no src/infra/db, no generated Prisma client, no pg or @prisma package.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: ['^src/infra/db/', '^src/generated/', '^node_modules/(pg|pg-[^/]+|@prisma/[^/]+|prisma)/'] },
    },
    {
      name: 'no-circular',
      comment: 'A module that depends on itself through others: one of them does two jobs.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file: a rule about it could not be checked.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // The generated client is cruised as a leaf: whoever imports it is seen, its own imports are not.
    doNotFollow: { path: ['^node_modules/', '^src/generated/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
