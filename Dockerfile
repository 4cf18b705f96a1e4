# syntax=docker/dockerfile:1
#
# The activity-sync image: build with the pinned Rust toolchain, run the one binary on a
# distroless base (no shell, no package manager), as a non-root numeric user.
#
#   docker build -t activity-sync:0.1.0 .
#   docker run --rm activity-sync:0.1.0 validate --source /defs   # with a volume at /defs
#
# Why tags and not digests: the tags below are pinned to the exact toolchain (rust 1.95.0,
# the one this project is built and tested with) and to the Debian release the runtime shares
# with the builder (bookworm, so the glibc the binary links against is the one it runs on).
# The repository is written offline, where no registry can be asked for a digest; a release
# pipeline that can reach the registry should pin them by digest
# (`FROM rust:1.95.0-bookworm@sha256:…`), for example with Renovate's `pinDigests`.

FROM rust:1.95.0-bookworm AS build
WORKDIR /src
# zlib (libgit2 and libssh2 use it) is linked statically (the distroless runtime has no
# zlib); OpenSSL stays dynamic: the runtime's libssl3 comes from the same Debian release
# (bookworm) as the builder's libssl-dev. The binary then needs libssl3, libgcc and glibc.
ENV LIBZ_SYS_STATIC=1 \
    CARGO_TERM_COLOR=never
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY benches ./benches
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin activity-sync \
    && install -D -m 0755 target/release/activity-sync /out/activity-sync

# The same binary beside a busybox shell, for CI systems that run their job scripts inside
# the job's image (GitLab CI; docs/ci.md): `docker build --target ci -t …:VERSION-ci .`
# Not for the cluster: the last stage below is the default target.
FROM gcr.io/distroless/cc-debian12:debug-nonroot AS ci
COPY --from=build /out/activity-sync /usr/local/bin/activity-sync
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/activity-sync"]
CMD ["--help"]

# `cc`: glibc, libgcc, libssl3, CA certificates (/etc/ssl/certs, read by the rustls native
# roots for Postgres and Temporal TLS), tzdata; `nonroot`: uid/gid 65532, no shell.
FROM gcr.io/distroless/cc-debian12:nonroot
# checkov:skip=CKV_DOCKER_2: a batch job (CronJob, Job, CI step) that runs and exits, with no server to probe
COPY --from=build /out/activity-sync /usr/local/bin/activity-sync
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/activity-sync"]
CMD ["--help"]
