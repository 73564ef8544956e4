FROM node:26-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
COPY scripts/build-web.ts ./scripts/
# onnxruntime-node ships its CPU library in the package; .npmrc (ignore-scripts) keeps its
# install script from fetching the CUDA provider (for CUDA: a GPU base image, then
# `npm run install:cuda`). No install script runs, so the build (server and web pages) is explicit.
# Only the Linux builds of its native library are kept (~220 MB of macOS and Windows ones dropped).
RUN npm ci && npm run build && npm prune --omit=dev \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +
COPY bin ./bin
COPY migrations ./migrations
COPY schema.graphql ./
COPY data ./data
ENV NODE_ENV=production DATA_DIR=/var/lib/headline-search
EXPOSE 4000
CMD ["node", "bin/headlines.js", "start"]
