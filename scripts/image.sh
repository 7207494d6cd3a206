#!/usr/bin/env bash
# Builds the real Dockerfile with podman and proves the image works: exports its filesystem,
# runs `hookgate check` inside it, starts the image's own entrypoint and command as its own
# user (chroot into the exported filesystem, the gateway on a free loopback port), and creates
# and reads a webhook through the canonical API with curl.
#
# Base images: RUST_IMAGE and RUNTIME_IMAGE when given; else the Dockerfile's defaults when a
# registry serves them; else local ones built here: Debian stable by debootstrap for the
# runtime, the same with gcc and this machine's Rust toolchain for the builder (kept in
# podman's store for the next run).
#
#   scripts/image.sh             # as root: apt-get, podman, chroot
#   IMAGE=hookgate:test MIRROR=http://deb.debian.org/debian scripts/image.sh
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/hookgate:dev}
SUITE=${SUITE:-trixie}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
LOCAL_RUNTIME=localhost/hookgate-base/debian:$SUITE
SYSROOT=$(rustc --print sysroot)
RUSTC=$(rustc --version | cut -d' ' -f2)
LOCAL_RUST=localhost/hookgate-base/rust:$RUSTC-$SUITE
started=$SECONDS
step() { echo "== $* ($((SECONDS - started)) s)"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "run as root: it installs packages and chroots into the image" >&2
  exit 1
fi
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

WORK=$(mktemp -d /var/tmp/hookgate-image.XXXXXX)
CONTAINER=
PID=
cleanup() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  [ -n "$CONTAINER" ] && podman rm --force "$CONTAINER" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

# A Debian base image from Debian packages, for machines that reach no container registry.
local_bases() {
  if ! podman image exists "$LOCAL_RUNTIME"; then
    step "debootstrap $SUITE into a local base image"
    debootstrap --variant=minbase "$SUITE" "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
      { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
    rm -rf "$WORK"/rootfs/var/lib/apt/lists/* "$WORK"/rootfs/var/cache/apt/archives/*.deb
    tar -C "$WORK/rootfs" -c . | podman import --quiet - "$LOCAL_RUNTIME" >/dev/null
    rm -rf "$WORK/rootfs"
  fi
  if ! podman image exists "$LOCAL_RUST"; then
    # The official rust image is Debian with a rustup toolchain; the stand-in is Debian with
    # this machine's toolchain (Debian's own rustc is older than the locked crates need).
    step "Debian, gcc and this machine's Rust $RUSTC into a local builder image"
    mkdir -p "$WORK/rust/ca" "$WORK/rust/toolchain"
    tar -C "$SYSROOT" -c bin lib libexec etc | tar -C "$WORK/rust/toolchain" -x
    # The machine's own trust anchors, so that cargo inside reaches crates.io as the host does.
    cp /usr/local/share/ca-certificates/*.crt "$WORK/rust/ca/" 2>/dev/null || true
    cat >"$WORK/rust/Containerfile" <<EOF
FROM $LOCAL_RUNTIME
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
      gcc libc6-dev binutils ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
COPY toolchain/ /usr/local/rust/
ENV PATH=/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN cargo --version && rustc --version
EOF
    podman build --isolation=chroot --quiet -t "$LOCAL_RUST" "$WORK/rust" >/dev/null
    rm -rf "$WORK/rust"
  fi
  RUST_IMAGE=$LOCAL_RUST
  RUNTIME_IMAGE=$LOCAL_RUNTIME
}

if [ -z "${RUST_IMAGE:-}" ] || [ -z "${RUNTIME_IMAGE:-}" ]; then
  RUST_IMAGE=docker.io/library/rust:1-$SUITE
  RUNTIME_IMAGE=docker.io/library/debian:$SUITE-slim
  if ! { timeout 60 podman pull --quiet "$RUST_IMAGE" && timeout 60 podman pull --quiet "$RUNTIME_IMAGE"; } >/dev/null 2>&1; then
    echo "no registry serves $RUST_IMAGE; building base images from Debian packages"
    local_bases
  fi
fi

step "podman build ($RUST_IMAGE, $RUNTIME_IMAGE)"
podman build --isolation=chroot \
  --build-arg "RUST_IMAGE=$RUST_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" \
  -t "$IMAGE" .
podman image inspect --format 'image {{.Id}}: {{.Size}} bytes, user {{.Config.User}}, entrypoint {{.Config.Entrypoint}}, cmd {{.Config.Cmd}}' "$IMAGE"

step "export the image's filesystem"
CONTAINER=$(podman create "$IMAGE")
mkdir "$WORK/image"
podman export "$CONTAINER" | tar -C "$WORK/image" -x
mapfile -t ENV < <(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d')
mapfile -t COMMAND < <(podman image inspect --format '{{range .Config.Entrypoint}}{{println .}}{{end}}{{range .Config.Cmd}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d')
USER_ID=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
WORKDIR=$(podman image inspect --format '{{.Config.WorkingDir}}' "$IMAGE")
[ "${USER_ID%%:*}" != 0 ] && [ -n "$USER_ID" ] || { echo "the image runs as root" >&2; exit 1; }

# Runs a command inside the exported filesystem as the image's user, with the image's
# environment and working directory.
in_image() {
  chroot --userspec="$USER_ID" "$WORK/image" /usr/bin/env -i "${ENV[@]}" "$@"
}

step "hookgate check inside the image"
in_image /bin/sh -c "cd '$WORKDIR' && exec /usr/local/bin/hookgate check"

step "the image's command: ${COMMAND[*]}"
# Listening on every interface is the image's default; here a free loopback port will do.
chroot --userspec="$USER_ID" "$WORK/image" /usr/bin/env -i "${ENV[@]}" HOOKGATE__LISTEN=127.0.0.1:0 \
  /bin/sh -c "cd '$WORKDIR' && exec \"\$@\"" sh "${COMMAND[@]}" >"$WORK/serve.log" 2>&1 &
PID=$!
ADDR=
for _ in $(seq 100); do
  ADDR=$(grep -o '"message":"gateway listening","addr":"[^"]*"' "$WORK/serve.log" | cut -d'"' -f8 || true)
  [ -n "$ADDR" ] && break
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ADDR" ] || { echo "the gateway did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }

GW=http://$ADDR
curl -fsS "$GW/readyz" >/dev/null
BASE=$GW/v1/upstreams/talkover/owners/9fbef0b7-8d4e-4a08-9207-66c22155721d/webhooks
CREATED=$(curl -fsS -H 'content-type: application/json' "$BASE" \
  -d '{"description":"Calls","url":"https://example.com/hook","events":["event_phone_call_started"]}')
ID=$(printf %s "$CREATED" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
[ -n "$ID" ] || { echo "create answered: $CREATED" >&2; exit 1; }
READ=$(curl -fsS "$BASE/$ID")
printf %s "$READ" | grep -qF "\"id\":\"$ID\"" || { echo "get answered: $READ" >&2; exit 1; }
echo "created and read webhook $ID through $GW"
echo "$READ"

step "done: $IMAGE"
