# The Avatars API. Build from the repository root:
#   docker build -f deploy/api.Dockerfile -t avatars-api .
# Runs `avatars serve` (bin/avatars.js, TypeScript through tsx) as user 10001.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# Compilers only for native modules (better-sqlite3) when no prebuilt binary fits; they stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# The console and the browser SDK are bundled with esbuild (a dev dependency) in a stage of their own.
FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm cache clean --force
COPY tsconfig.json ./
COPY web ./web
COPY lipsync ./lipsync
RUN npx tsx web/build.ts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# Talking videos (docs/videos.md): ffmpeg decodes uploads and encodes H.264/AAC and VP9, espeak-ng is the basic text to
# speech, Chromium renders stylized_3d (VRM, orb) clips with the web SDK, its WebGL on Mesa's llvmpipe (libegl-mesa0,
# libgl1-mesa-dri: twice SwiftShader's speed). Debian's own packages; nothing downloaded later.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng chromium libegl1 libegl-mesa0 libgl1-mesa-dri fonts-dejavu-core ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 avatars \
 && useradd --system --uid 10001 --gid avatars --home-dir /app --shell /usr/sbin/nologin avatars \
 && mkdir -p /data && chown avatars:avatars /data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY contract ./contract
COPY lipsync ./lipsync
COPY renderer ./renderer
COPY web/console ./web/console
COPY web/starter/starter.vrm ./web/starter/starter.vrm
COPY web/live ./web/live
COPY --from=web /app/web/dist ./web/dist
USER 10001:10001
VOLUME ["/data"]
EXPOSE 3000
CMD ["node", "bin/avatars.js", "serve"]
