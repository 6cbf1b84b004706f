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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every setting an entry point takes can be given as a flag and a STAGEFLEET_* variable, and --help lists it: a new
 * record component without its option fails here. Options are fields named like the component they fill.
 */
@Tag("unit")
class SettingsInHelpTest {
  private static final Pattern NAMED_VARIABLE = Pattern.compile("\\[(STAGEFLEET_[A-Z0-9_]+)]");

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
      } else if (!readsAVariable(sub.getCommandSpec(), option)) {
        missing.add(component.getName() + ": " + option.longestName() + " reads no STAGEFLEET_* variable");
      }
    }
    assertThat(missing).as("settings of '" + command + "' a user cannot set").isEmpty();
  }

  /** Every command {@code stagefleet --help} lists, and theirs in turn (keys create), but picocli's own help. */
  static List<List<String>> commands() {
    List<List<String>> found = new ArrayList<>();
    collect(StageFleetCommand.commandLine(), List.of(), found);
    return found;
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> found) {
    cl.getSubcommands().forEach((name, sub) -> {
      if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
        List<String> subPath = new ArrayList<>(path);
        subPath.add(name);
        found.add(subPath);
        collect(sub, subPath, found);
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void everyOptionOfEveryCommandIsInItsHelpAndReadsAStagefleetVariable(List<String> command) {
    CommandLine cl = StageFleetCommand.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    List<String> args = new ArrayList<>(command);
    args.add("--help");
    assertThat(cl.execute(args.toArray(String[]::new))).isZero();
    CommandLine sub = cl;
    for (String name : command) {
      sub = sub.getSubcommands().get(name);
    }
    List<String> missing = new ArrayList<>();
    for (OptionSpec option : sub.getCommandSpec().options()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      if (!out.toString().contains(option.longestName())) {
        missing.add(option.longestName() + " not in --help");
      } else if (!readsAVariable(sub.getCommandSpec(), option)) {
        missing.add(option.longestName() + " reads no STAGEFLEET_* variable");
      } else {
        // a variable the help names must be the one the option reads
        Matcher named = NAMED_VARIABLE.matcher(String.join(" ", option.description()));
        while (named.find()) {
          if (!named.group(1).equals(Messages.variable(option))) {
            missing.add(option.longestName() + " names " + named.group(1) + " but reads " + Messages.variable(option));
          }
        }
      }
    }
    assertThat(missing).as("options of 'stagefleet " + String.join(" ", command) + "'").isEmpty();
  }

  /**
   * The command's {@link EnvironmentDefaults} serve every option that names no default of its own; one that does
   * must name its variable there.
   */
  private static boolean readsAVariable(CommandSpec command, OptionSpec option) {
    // the annotation as written: picocli hands out its default with the variable already looked up
    String own = option.userObject() instanceof Field f ? f.getAnnotation(CommandLine.Option.class).defaultValue()
        : option.defaultValue();
    return own == null || own.equals(CommandLine.Option.NULL_VALUE) || own.equals("__no_default_value__")
        ? command.defaultValueProvider() instanceof EnvironmentDefaults : own.startsWith("${env:STAGEFLEET_");
  }
}
