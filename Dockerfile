# One image for brook-server (the default command, like redis-server) and the demo app
# (docker-compose.yml runs it with the demo's entrypoint).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json nest-cli.json tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
COPY bin ./bin
# npm ci builds brook-server (the prepare script); the demo is a second Nest project.
RUN npm ci && npx nest build demo && npm prune --omit=dev

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
