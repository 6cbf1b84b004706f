package dev.stagefleet.cli;

import dev.stagefleet.emulator.EmulatorSettings;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The IVS emulator's options: one field per {@link EmulatorSettings} component (but the clock, which is the system's),
 * named like it and starting at its default; {@link #toSettings()} is the one mapping, and the record checks them.
 */
final class EmulatorOptions {
  private static final EmulatorSettings DEFAULTS = EmulatorSettings.defaults();

  @Option(names = "--port", description = "TCP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port = DEFAULTS.port();

  @Option(names = "--host", description = "Interface to bind; 0.0.0.0 for all (default: ${DEFAULT-VALUE}).")
  String host = DEFAULTS.host();

  @Option(names = "--region", description = "AWS region in the emulator's ARNs (default: ${DEFAULT-VALUE}).")
  String region = DEFAULTS.region();

  @Option(names = "--account-id",
      description = "12-digit AWS account id in the emulator's ARNs (default: ${DEFAULT-VALUE}).")
  String accountId = DEFAULTS.accountId();

  /** The one setting whose flag says the opposite of its component, {@code throttling}. */
  @Option(names = "--no-throttling", negatable = false,
      description = "Do not enforce IVS's per-operation rate quotas (no 429 ThrottlingException).")
  boolean noThrottling = !DEFAULTS.throttling();

  @Option(names = "--latency-ms", paramLabel = "MILLIS",
      description = "Milliseconds added to every IVS call (default: ${DEFAULT-VALUE}).")
  long latency = DEFAULTS.latency().toMillis();

  @Option(names = "--error-rate",
      description = "Fraction (0..1) of IVS calls answered 500 InternalServerException (default: ${DEFAULT-VALUE}).")
  double errorRate = DEFAULTS.errorRate();

  /** The options as the emulator's settings, on the system clock; the record's own checks say what is wrong. */
  EmulatorSettings toSettings() {
    return new EmulatorSettings(host, port, region == null ? null : region.strip(), accountId, !noThrottling,
        Duration.ofMillis(latency), errorRate, Clock.systemUTC());
  }
}
