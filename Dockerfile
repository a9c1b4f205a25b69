# Brook server image: builds the monorepo and runs brook-server like redis-server.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json nest-cli.json tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
COPY bin ./bin
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY package.json ./
RUN mkdir -p /data
EXPOSE 6379
VOLUME /data
ENTRYPOINT ["node", "bin/brook-server.js"]
CMD ["--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data"]
