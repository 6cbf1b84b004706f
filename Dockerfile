# syntax=docker/dockerfile:1
# StageFleet: one image, several entry points (operator, gateway, local, ivs-emulator, crd, keys).
# The benchmark harness is test code and not in the jar (docs/benchmarks.md).
#   docker build -t stagefleet:0.1.0 .
#   docker run --rm stagefleet:0.1.0 --help

# ---- build: the shaded jar ----
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY src src
# the examples go into the jar (local mode applies deploy/examples/minimal.yaml)
COPY deploy/examples deploy/examples
# the cache mount keeps Maven and the dependencies between builds (BuildKit)
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B package -DskipTests

# ---- run: a JRE and the jar, as a non-root user ----
FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="StageFleet" \
      org.opencontainers.image.description="Kubernetes operator and gateway that scale Amazon IVS real-time stages to a live audience"
WORKDIR /app
COPY --from=build /src/target/stagefleet.jar /app/stagefleet.jar
# the broadcaster and viewer pages; the gateway serves them with --web-root=/app/web
COPY web-frontend/src /app/web
# 65532 is the conventional "nonroot" id; the Helm chart's securityContext runs as the same id.
# HOME is /tmp because the root filesystem is read-only in the cluster (the chart mounts an emptyDir there).
ENV HOME=/tmp
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["java", "-jar", "/app/stagefleet.jar"]
CMD ["--help"]
