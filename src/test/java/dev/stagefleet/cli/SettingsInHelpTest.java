package dev.stagefleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.local.LocalSettings;
import dev.stagefleet.operator.OperatorSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every setting an entry point takes can be given as a flag and a STAGEFLEET_* variable, and --help lists it: a new
 * record component without its option fails here. Options are fields named like the component they fill.
 */
class SettingsInHelpTest {
  static List<Arguments> entryPoints() {
    return List.of(Arguments.of("operator", OperatorSettings.class, Map.of(), Set.of()),
        Arguments.of("gateway", GatewaySettings.class, Map.of(), Set.of()),
        // the emulator's clock is the system's; throttling is turned off by --no-throttling
        Arguments.of("ivs-emulator", EmulatorSettings.class, Map.of("throttling", "noThrottling"), Set.of("clock")),
        Arguments.of("local", LocalSettings.class, Map.of("sample", "noSample"), Set.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entryPoints")
  void everySettingsComponentIsAFlagWithAVariableInHelp(String command, Class<? extends Record> settings,
      Map<String, String> fieldNames, Set<String> notSettable) {
    CommandLine cl = StageFleetCommand.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute(command, "--help")).isZero();
    CommandLine sub = cl.getSubcommands().get(command);
    List<String> missing = new ArrayList<>();
    for (RecordComponent component : settings.getRecordComponents()) {
      if (notSettable.contains(component.getName())) {
        continue;
      }
      String fieldName = fieldNames.getOrDefault(component.getName(), component.getName());
      OptionSpec option = sub.getCommandSpec().options().stream()
          .filter(o -> o.userObject() instanceof Field f && f.getName().equals(fieldName))
          .findFirst().orElse(null);
      if (option == null) {
        missing.add(component.getName() + ": no option");
      } else if (!out.toString().contains(option.longestName())) {
        missing.add(component.getName() + ": " + option.longestName() + " not in --help");
      } else if (!(sub.getCommandSpec().defaultValueProvider() instanceof EnvironmentDefaults)
          && !((Field) option.userObject()).getAnnotation(CommandLine.Option.class).defaultValue()
              .startsWith("${env:STAGEFLEET_")) {
        missing.add(component.getName() + ": " + option.longestName() + " reads no STAGEFLEET_* variable");
      }
    }
    assertThat(missing).as("settings of '" + command + "' a user cannot set").isEmpty();
  }
}
