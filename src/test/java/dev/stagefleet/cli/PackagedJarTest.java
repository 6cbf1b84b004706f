package dev.stagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shaded product jar (what the image runs) carries no benchmark harness. Runs after {@code package}, in
 * {@code verify}, where the build passes the jar's path.
 */
@Tag("packaged")
class PackagedJarTest {

  @Test
  void theProductJarHasNoBenchmarkClasses() throws Exception {
    String path = System.getProperty("stagefleet.jar");
    assertThat(path).as("the build passes -Dstagefleet.jar").isNotBlank();
    try (JarFile jar = new JarFile(Path.of(path).toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(StageFleetCommand.class.getName());
      assertThat(jar.getEntry("dev/stagefleet/cli/StageFleetCommand.class")).isNotNull();
      assertThat(jar.stream().map(JarEntry::getName))
          .noneMatch(name -> name.startsWith("dev/stagefleet/bench/"))
          .doesNotContain("dev/stagefleet/cli/BenchCommand.class");
    }
  }
}
