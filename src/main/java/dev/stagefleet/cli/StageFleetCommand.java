package dev.stagefleet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stagefleet} command: one jar, one subcommand per part. */
@Command(name = "stagefleet", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Scales Amazon IVS real-time stages to a live audience, declared as LiveBroadcast resources.",
    subcommands = {OperatorCommand.class, GatewayCommand.class, LocalCommand.class, IvsEmulatorCommand.class,
        CrdCommand.class, KeysCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class StageFleetCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with StageFleet's error handling: bad flags print one line and usage, never a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new StageFleetCommand());
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      commandLine.getErr().println("stagefleet: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      return ex instanceof UserFacingException u ? u.exitCode() : 1;
    });
    return cl;
  }
}
