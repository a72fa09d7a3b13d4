# One image for every component; docker-compose.yml picks each service's entry point.
# It runs the compiled build (npm run build) on Node 22 with production dependencies only:
# no tsx and no compiler at run time.

FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The build needs the dev dependencies (TypeScript); the image keeps only the others.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    HOME=/home/node \
    LOG_FORMAT=json
# The sources stay for what the build does not hold: routes.yaml, mcp-policy.yaml and the
# legacy app's page (legacy-adapter/public).
COPY . .
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
EXPOSE 5601 5602 5000 5634
# ./data is a bind mount owned by whoever created it on the host: hand it to the
# unprivileged `node` user, then drop root for good (setpriv is part of util-linux).
ENTRYPOINT ["/bin/sh", "-c", "mkdir -p data && chown node:node data && exec setpriv --reuid=node --regid=node --init-groups -- \"$@\"", "--"]
CMD ["node", "dist/legacy-adapter/src/main.js"]
