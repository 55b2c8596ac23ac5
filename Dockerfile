# Two stages: compile with the full Rust image, run on a slim Debian of the same
# release (bookworm) so the binary's glibc matches.

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS build
WORKDIR /src

# Build the dependencies alone first, against stub sources, so that this layer is
# reused until Cargo.toml or Cargo.lock changes. libpq, SQLite and OpenSSL are
# compiled from bundled sources by their crates; the image already has cc, make
# and perl for that.
# The test target's file is stubbed too, so that every target named in
# Cargo.toml exists.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src tests/api \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs tests/api/main.rs \
    && cargo build --release --locked --bin volunteer-hours

# The real sources. migrations/, seeds/, locales/ and assets/ are compiled into the binary
# (embed_migrations! and include_str!), so they must be here before the build.
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
COPY locales ./locales
# the certificate PDFs' font, compiled in with include_bytes!
COPY assets ./assets
# the web console's files, compiled in by rust-embed (no Node.js needed)
COPY console/app ./console/app
# COPY keeps the files' original timestamps, which can be older than the stub
# build; touching them makes cargo rebuild the crate itself.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin volunteer-hours

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim

# ca-certificates for TLS to the database; curl only for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user, and /data for the default SQLite database file.
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid 10001 --no-create-home --no-log-init \
       --home-dir /nonexistent --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown 10001:10001 /data

COPY --from=build /src/target/release/volunteer-hours /usr/local/bin/volunteer-hours

WORKDIR /app

# The vendored OpenSSL looks for CA certificates under its own build prefix, not
# Debian's; point it at the system bundle.
ENV APP_ENV=production \
    BIND_ADDRESS=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/volunteer-hours.db \
    LOG_FORMAT=json \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_DIR=/etc/ssl/certs

USER 10001:10001
EXPOSE 8080

# /ready answers 200 only when the database is reachable. The URL assumes the
# default port; change it too if BIND_ADDRESS uses another port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=5 \
    CMD ["curl", "-fsS", "http://127.0.0.1:8080/ready"]

ENTRYPOINT ["/usr/local/bin/volunteer-hours"]
CMD ["serve"]
