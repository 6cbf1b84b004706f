package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The image (which cannot be built here) and the chart agree on the user, the jar and the web root. */
@Tag("chart")
class DockerfileTest {
  static final Path DOCKERFILE = Path.of("Dockerfile");

  static List<String> instructions(String keyword) throws Exception {
    return Files.readAllLines(DOCKERFILE).stream().map(String::strip)
        .filter(line -> line.startsWith(keyword + " ")).map(line -> line.substring(keyword.length() + 1).strip())
        .toList();
  }

  @Test
  void buildsWithMavenThenRunsTheJarOnAJre17AsTheChartsNonRootUser() throws Exception {
    var pod = StageFleetChart.render(Map.of()).one(Deployment.class).getSpec().getTemplate().getSpec();

    assertThat(instructions("FROM")).containsExactly("maven:3.9-eclipse-temurin-17 AS build", "eclipse-temurin:17-jre");
    assertThat(instructions("RUN")).anyMatch(run -> run.contains("./mvnw -B package -DskipTests"));
    assertThat(instructions("USER")).containsExactly(pod.getSecurityContext().getRunAsUser() + ":"
        + pod.getSecurityContext().getRunAsGroup());
    assertThat(instructions("ENTRYPOINT")).containsExactly("[\"java\", \"-jar\", \"/app/stagefleet.jar\"]");
    assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>stagefleet</finalName>");
  }

  @Test
  void shipsTheWebPagesWhereTheChartTellsTheGatewayToLook() throws Exception {
    var gateway = StageFleetChart.render(Map.of()).one(Deployment.class).getSpec().getTemplate().getSpec()
        .getContainers().stream().filter(c -> c.getName().equals("gateway")).findFirst().orElseThrow();

    assertThat(instructions("COPY")).contains("--from=build /src/target/stagefleet.jar /app/stagefleet.jar",
        "web-frontend/src /app/web");
    assertThat(gateway.getArgs()).contains("--web-root=/app/web");
  }
}
