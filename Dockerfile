# hookgate's container image: a release build on Debian stable, copied onto a slim Debian
# runtime with the mapping files and the default configuration under /etc/hookgate.
#
#   podman build -t hookgate .          # or docker build
#   podman run --rm -p 8080:8080 hookgate
#
# The entrypoint is the hookgate binary, so the same image runs vendor emulators for other
# projects' test suites (docs/emulators.md); inside a container they listen on every interface:
#   docker run --rm -p 9000:9000 hookgate emulate talkover --listen 0.0.0.0:9000
#   docker run --rm -p 9000-9001:9000-9001 hookgate emulate talkover chirp --listen 0.0.0.0:9000
#
# Both base images can be replaced (a mirror, a pinned digest, a locally built base):
#   --build-arg RUST_IMAGE=... --build-arg RUNTIME_IMAGE=...
ARG RUST_IMAGE=docker.io/library/rust:1-trixie
ARG RUNTIME_IMAGE=docker.io/library/debian:trixie-slim

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
# Compiled in: the shipped mapping files and the built-in default configuration.
COPY mappings ./mappings
COPY config ./config
COPY benches ./benches
COPY openapi ./openapi
RUN cargo build --release --locked --bin hookgate \
 && strip target/release/hookgate

FROM ${RUNTIME_IMAGE}
# A fixed, unprivileged id, so that Kubernetes can check runAsNonRoot without a name lookup.
RUN groupadd --system --gid 10001 hookgate \
 && useradd --system --uid 10001 --gid hookgate --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin hookgate
COPY --from=build /src/target/release/hookgate /usr/local/bin/hookgate
COPY config/hookgate.toml /etc/hookgate/hookgate.toml
COPY mappings /etc/hookgate/mappings
# The shipped configuration binds loopback and names `mappings` relative to the working
# directory; in a container the gateway listens on every interface.
ENV HOOKGATE_CONFIG=/etc/hookgate/hookgate.toml \
    HOOKGATE__LISTEN=0.0.0.0:8080 \
    HOOKGATE__MAPPINGS_DIR=/etc/hookgate/mappings \
    HOOKGATE__LOG__FORMAT=json
WORKDIR /etc/hookgate
USER 10001:10001
# 8080: the gateway; 9000 and up: `hookgate emulate --listen 0.0.0.0:9000`.
EXPOSE 8080 9000
# An exec probe: GET /healthz on the configured listener, exit 0 or 1 (no curl needed).
HEALTHCHECK --interval=30s --timeout=5s CMD ["/usr/local/bin/hookgate", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/hookgate"]
CMD ["serve", "--config", "/etc/hookgate/hookgate.toml"]
