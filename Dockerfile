# syntax=docker/dockerfile:1
# casetrail runs its TypeScript sources with Node's own type stripping, so there is no
# compile step for the server: the build stage generates the Prisma client and builds the
# web console, and the runtime stage holds the sources, those two and the production
# dependencies, run as a non-root user.
ARG NODE_IMAGE=node:24-bookworm-slim

# Every dependency: the Prisma CLI and Vite are dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
COPY console ./console
RUN npm run generate && npm run build

# Production dependencies only: the embedded PostgreSQL of `npm start`, the benchmark's
# load generator and the build tools are development dependencies (a container always
# gets DATABASE_URL). No install script runs: the build stage generated the client.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    CASETRAIL_DATA_DIR=/var/lib/casetrail
WORKDIR /app
# Owned by root and read-only to the process: the application cannot rewrite itself.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY workers ./workers
COPY prisma ./prisma
COPY --from=build /app/src ./src
COPY --from=build /app/dist/console ./dist/console
# The data directory holds generated keys when none are given in the environment.
RUN mkdir -p /var/lib/casetrail && chown node:node /var/lib/casetrail
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/casetrail.mjs"]
CMD ["start"]
