# The rendering container, one per deployed avatar. Build from the repository root:
#   docker build -f deploy/renderer.Dockerfile -t avatars-renderer .
# Runs renderer/main.ts with tsx as user 10001 (the Kubernetes orchestrator's pods insist on that uid).
# Reads the environment of contract/renderer-environment.ts (RENDERER_HOST, RENDERER_PORT, RENDERER_SECRET, AVATAR_ID,
# PORTRAIT_IMAGE, PORTRAIT_FACE, RENDER_CONFIG, ...). Ships only what the renderer runs: renderer/, contract/, lipsync/.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim
# ffmpeg encodes the H.264 output; espeak-ng turns an agent's timed words into phonemes for the mouth
# (docs/live-sessions.md, "Words").
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 renderer \
 && useradd --system --uid 10001 --gid renderer --home-dir /app --shell /usr/sbin/nologin renderer
ENV NODE_ENV=production \
    RENDERER_HOST=0.0.0.0 \
    RENDERER_PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY contract ./contract
COPY renderer ./renderer
COPY lipsync ./lipsync
USER 10001:10001
EXPOSE 8080
CMD ["node", "--import", "tsx", "renderer/main.ts"]
