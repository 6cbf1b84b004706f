package dev.stagefleet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stagefleet} command: one jar, one subcommand per part. */
@Command(name = "stagefleet", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Scales Amazon IVS real-time stages to a live audience, declared as LiveBroadcast resources.",
    subcommands = {OperatorCommand.class, GatewayCommand.class, LocalCommand.class, IvsEmulatorCommand.class,
        CrdCommand.class, KeysCommand.class, CommandLine.HelpCommand.class})
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

  /**
   * The command line with StageFleet's error handling: a bad flag or a failure prints one line (with where to find
   * the usage), never a stack trace and never pages of help that push the message off the screen.
   */
  public static CommandLine commandLine() {
    return withErrorHandling(new CommandLine(new StageFleetCommand()));
  }

  /** {@code cl} with StageFleet's error handling, messages headed by the command's name (the benchmarks use it too). */
  public static CommandLine withErrorHandling(CommandLine cl) {
    String tool = cl.getCommandName();
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine failed = ex.getCommandLine();
      failed.getErr().println(tool + ": " + ex.getMessage().strip().replaceAll("\\s*\\R\\s*", " ")
          + fromEnvironment(ex, args) + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
      failed.getErr().flush();
      return failed.getCommandSpec().exitCodeOnInvalidInput();
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      commandLine.getErr().println(tool + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      return ex instanceof UserFacingException u ? u.exitCode() : 1;
    });
    return cl;
  }

  /**
   * Where a bad value came from when it was not on the command line: every option falls back to the variable
   * {@code STAGEFLEET_<OPTION>}, and a user who set it in a manifest would look for the flag in vain.
   */
  static String fromEnvironment(CommandLine.ParameterException ex, String[] args) {
    if (!(ex.getArgSpec() instanceof CommandLine.Model.OptionSpec option)) {
      return "";
    }
    for (String arg : args) {
      for (String name : option.names()) {
        if (arg.equals(name) || arg.startsWith(name + "=")) {
          return "";
        }
      }
    }
    String variable = Messages.variable(option);
    return System.getenv(variable) == null ? "" : " (from the environment variable " + variable + ")";
  }
}
