# One image for every component; docker-compose.yml picks each service's entry point.
# Runs the TypeScript sources with tsx (a runtime dependency), as `npm start` does.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    HOME=/home/node \
    LOG_FORMAT=json
COPY --from=deps /app/node_modules ./node_modules
COPY . .
EXPOSE 5601 5602 5000 5634
# ./data is a bind mount owned by whoever created it on the host: hand it to the
# unprivileged `node` user, then drop root for good (setpriv is part of util-linux).
ENTRYPOINT ["/bin/sh", "-c", "mkdir -p data && chown node:node data && exec setpriv --reuid=node --regid=node --init-groups -- \"$@\"", "--"]
CMD ["node", "--import", "tsx", "legacy-adapter/src/main.ts"]
