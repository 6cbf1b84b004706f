package dev.stagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The help texts read as sentences: the list of commands shows each description's first line on its own. */
@Tag("unit")
class HelpTextTest {
  @Test
  void noCommandDescriptionLineStopsMidSentence() {
    List<String> cut = new ArrayList<>();
    collect(StageFleetCommand.commandLine(), cut);
    assertThat(cut).as("description lines that stop mid-sentence").isEmpty();
  }

  private static void collect(CommandLine command, List<String> cut) {
    for (String line : command.getCommandSpec().usageMessage().description()) {
      String text = line.strip();
      // a line may end in a command to type, introduced as an example
      boolean endsInExample = text.matches("(?s).*(e\\.g\\.|Example:) .*");
      if (!text.isEmpty() && !endsInExample && !text.matches("(?s).*[.:!?)]$")) {
        cut.add(command.getCommandSpec().qualifiedName() + ": " + text);
      }
    }
    command.getSubcommands().forEach((name, sub) -> {
      if (!"help".equals(name)) {
        collect(sub, cut);
      }
    });
  }
}
