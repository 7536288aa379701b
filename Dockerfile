# syntax=docker/dockerfile:1
#
# Flintn Webhooks: one image for every process. The command picks the process:
#
#   docker run --rm flintn-webhooks:local --help
#   docker run ... flintn-webhooks:local topics create
#   docker run ... flintn-webhooks:local dispatcher        (or retry-scheduler, admin)
#
# Configuration comes from environment variables named after the configuration keys
# (kafka.bootstrap-servers -> FLINTN_KAFKA_BOOTSTRAP_SERVERS; see docs/operators.md); the
# dispatcher, retry-scheduler and admin all need the same FLINTN_SECRETS_ENCRYPTION_KEY.
#
# Build from the repository root:  docker build -t flintn-webhooks:local .

# Both stages use the minimum JDK, 25, as the POM's enforcer rule, README.md and bin/flintn-webhooks
# do (JdkMinimumTest).

# --- build: the distribution (launcher/target/flintn-webhooks.jar + launcher/target/lib/) ---
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
# The whole reactor: `-am` builds every module the launcher needs (.dockerignore keeps target/ out).
# The benchmark harness (bench) and the test support (testkit) are not among them: the launcher's
# enforcer rule bans both from its runtime class path, and the last line checks lib/ once more.
COPY . .
# The Maven wrapper pins the Maven version; the cache mount keeps ~/.m2 between builds.
RUN --mount=type=cache,target=/root/.m2 \
    chmod +x mvnw \
 && ./mvnw -B -pl launcher -am package -DskipTests \
 && test -f launcher/target/flintn-webhooks.jar \
 && test -d launcher/target/lib \
 && ! ls launcher/target/lib | grep -E '^(bench|testkit)-'

# --- runtime: a JRE and the distribution, run as a non-root user ---
FROM eclipse-temurin:25-jre

LABEL org.opencontainers.image.title="flintn-webhooks" \
      org.opencontainers.image.description="Signed, retried webhook delivery with Kafka as the only store."

# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can verify it. The working directory is the
# only place the process may write besides /tmp (standalone keeps ./data there).
RUN groupadd --system --gid 10001 flintn \
 && useradd --system --uid 10001 --gid flintn --home-dir /var/lib/flintn-webhooks \
      --no-create-home --shell /usr/sbin/nologin flintn \
 && mkdir -p /var/lib/flintn-webhooks \
 && chown flintn:flintn /var/lib/flintn-webhooks

# The jar's manifest puts lib/*.jar on its class path, so both keep their relative layout.
# Owned by root and read-only for the process.
COPY --from=build /src/launcher/target/lib/ /opt/flintn-webhooks/lib/
COPY --from=build /src/launcher/target/flintn-webhooks.jar /opt/flintn-webhooks/flintn-webhooks.jar

# Size the heap from the container's memory limit rather than the host's. The Kubernetes manifests,
# which set limits, also start the heap at its full size and touch it (docs/operators.md); without
# a limit (compose) that would take three quarters of the host's memory per container at start.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75.0"

WORKDIR /var/lib/flintn-webhooks
USER 10001:10001

# 8080: admin API and dashboard (admin.port). 9400: /metrics and /health of every process (metrics.port).
EXPOSE 8080 9400

# No HEALTHCHECK: the JRE image has no curl; compose and Kubernetes probe /health on 9400 themselves.
ENTRYPOINT ["java","--enable-native-access=ALL-UNNAMED","--sun-misc-unsafe-memory-access=allow","-jar","/opt/flintn-webhooks/flintn-webhooks.jar"]
CMD ["--help"]
