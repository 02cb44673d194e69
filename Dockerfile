# syntax=docker/dockerfile:1
# The stagegate image, for builders with a daemon (docker, podman, buildah, kaniko):
#
#   docker build --build-arg REVISION=$(git rev-parse HEAD) -t stagegate .
#   docker build --target ci -t stagegate:ci .      # with a shell, for CI jobs (GitLab)
#
# Without a daemon, scripts/build-image.sh assembles the same kind of image (binary, the
# shared libraries it loads, CA certificates, user 65532) as an OCI layout; CI tests that one.

ARG RUST_VERSION=1.85
ARG DEBIAN=bookworm

FROM rust:${RUST_VERSION}-${DEBIAN} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
 && install -D -m 0755 target/release/stagegate /out/stagegate \
 && strip /out/stagegate

# For CI jobs that run scripts (GitLab's `script:` needs a shell): Debian slim, CA
# certificates, the same binary and user.
FROM debian:${DEBIAN}-slim AS ci
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=https://github.com/stagegate/stagegate
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 nonroot \
 && useradd --uid 65532 --gid 65532 --create-home --home-dir /home/nonroot --shell /bin/sh nonroot
COPY --from=build /out/stagegate /usr/local/bin/stagegate
LABEL org.opencontainers.image.title="stagegate" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["stagegate"]
CMD ["--help"]

# The default target: glibc, libgcc, CA certificates and a nonroot user (65532), no shell,
# no package manager; stagegate needs nothing else (ldd: libc, libm, libgcc_s).
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=https://github.com/stagegate/stagegate
COPY --from=build /out/stagegate /usr/local/bin/stagegate
LABEL org.opencontainers.image.title="stagegate" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
USER 65532:65532
ENTRYPOINT ["stagegate"]
CMD ["--help"]
