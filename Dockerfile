# One image for every Warden service; the command picks the service:
#   docker run warden tsx services/api/src/main.ts
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.base.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && PRISMA_SCHEMA_ENGINE_BINARY=/bin/false npx prisma generate \
 && npm run build -w @warden/console --if-present
# Set after the install: the services run through tsx, a development dependency.
ENV NODE_ENV=production
# Two malloc arenas instead of glibc's eight per core: Buffers churned by Kafka batches otherwise
# leave ~60 MB of freed-but-held memory in the gateway's resident size (bench/telemetry).
# Every service in infra/compose runs this image, so the setting lives here once.
ENV MALLOC_ARENA_MAX=2
USER node
EXPOSE 4000 4100
CMD ["npx", "tsx", "services/api/src/main.ts"]
