package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The schema validator's dialect. */
@Tag("unit")
class SchemaValidatorTest {

  @Test
  void knowsEveryKubernetesExtensionTheCrdUsesSoNoneIsLoggedAsAnUnknownKeyword() throws IOException {
    String crd = Files.readString(Path.of("src/main/resources/META-INF/stagefleet/"
        + "livebroadcasts.live.stagefleet.dev-v1.yml"));
    TreeSet<String> used = new TreeSet<>();
    Matcher extension = Pattern.compile("(x-kubernetes-[a-z-]+):").matcher(crd);
    while (extension.find()) {
      used.add(extension.group(1));
    }

    assertThat(used).isNotEmpty();
    assertThat(SchemaValidator.DIALECT.getKeywords()).containsKeys(used.toArray(String[]::new));
  }
}
