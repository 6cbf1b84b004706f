package dev.stagefleet.cli;

import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** Runs the IVS emulator alone. */
@Command(name = "ivs-emulator", mixinStandardHelpOptions = true, defaultValueProvider = EnvironmentDefaults.class,
    description = {"Runs the IVS real-time emulator: the IVS REST-JSON API on a local port, for any AWS SDK.",
        "Point an SDK at the printed endpoint with the same region and any credentials.",
        "Control API (join/leave participants, faults, quotas, stats, reset) under /_emulator/.",
        "Every option can also be set as an environment variable STAGEFLEET_<OPTION> (e.g. STAGEFLEET_PORT)."})
public final class IvsEmulatorCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  EmulatorOptions options;

  @Option(names = "--outage-seconds",
      description = "Length of an outage window: every IVS call is answered 503 ServiceUnavailableException for "
          + "this many seconds (default: ${DEFAULT-VALUE}, no outage).")
  long outageSeconds = 0;

  @Option(names = "--outage-after",
      description = "Seconds after start at which the outage window opens (default: ${DEFAULT-VALUE}).")
  long outageAfterSeconds = 0;

  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public Integer call() {
    quietLibraryLogs();
    if (outageSeconds < 0 || outageAfterSeconds < 0) {
      throw new UserFacingException("--outage-seconds and --outage-after must not be negative");
    }
    if (outageAfterSeconds > 0 && outageSeconds == 0) {
      throw new UserFacingException("--outage-after needs --outage-seconds, the length of the outage window");
    }
    EmulatorSettings settings;
    try {
      settings = options.toSettings();
    } catch (IllegalArgumentException e) {
      throw Messages.invalidSetting(spec, e);
    }
    IvsEmulator emulator;
    try {
      emulator = IvsEmulator.start(settings);
    } catch (IllegalStateException e) {
      throw new UserFacingException(e.getMessage());
    }
    if (outageSeconds > 0) {
      try {
        emulator.faults().outageWindow(Duration.ofSeconds(outageAfterSeconds), Duration.ofSeconds(outageSeconds));
      } catch (IllegalArgumentException e) {
        emulator.close();
        throw new UserFacingException("--outage-seconds/--outage-after: " + e.getMessage());
      }
    }
    Thread shutdown = new Thread(() -> {
      emulator.close();
      stopped.countDown();
    }, "ivs-emulator-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    spec.commandLine().getOut().printf("IVS emulator listening on %s (region %s, account %s, throttling %s)%n",
        emulator.endpoint(), emulator.region(), emulator.accountId(), settings.throttling() ? "on" : "off");
    emulator.faults().outageWindow().ifPresent(window -> spec.commandLine().getOut().printf(
        "Outage window: every IVS call fails with 503 from %s until %s%n", window.get(0), window.get(1)));
    spec.commandLine().getOut().printf("Control API: %s/_emulator  -  press Ctrl-C to stop%n", emulator.endpoint());
    spec.commandLine().getOut().flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // stopped from within the JVM (tests, local mode): stop the server first, then keep the interrupt
      Runtime.getRuntime().removeShutdownHook(shutdown);
      emulator.close();
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** One line per request from the emulator; the web server's own start-up chatter only when something is wrong. */
  private static void quietLibraryLogs() {
    setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.io.javalin", "off");
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }
}
