package dev.stagefleet.cli;

import dev.stagefleet.local.LocalSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * Local mode's options: one field per {@link LocalSettings} component, named like it and starting at its default;
 * {@link #toSettings(Path)} is the one mapping, and the record checks the values.
 */
final class LocalOptions {
  @Option(names = "--api-port",
      description = "Port of the embedded Kubernetes API server, 0 = any free port (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_API_PORT].")
  int apiPort = LocalSettings.DEFAULT_API_PORT;

  @Option(names = "--gateway-port",
      description = "Port of the gateway and the web pages, 0 = any free port (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_GATEWAY_PORT].")
  int gatewayPort = LocalSettings.DEFAULT_GATEWAY_PORT;

  @Option(names = "--ivs-port",
      description = "Port of the IVS emulator, 0 = any free port (default ${DEFAULT-VALUE}) [STAGEFLEET_IVS_PORT].")
  int ivsPort = LocalSettings.DEFAULT_IVS_PORT;

  /** Its longest name gives it a variable apart from the shared --kubeconfig's: this one is written, not read. */
  @Option(names = {"--kubeconfig", "--local-kubeconfig"},
      description = "Where to write the kubeconfig for kubectl, removed again on exit (default ${DEFAULT-VALUE}, in "
          + "the working directory) [STAGEFLEET_LOCAL_KUBECONFIG].")
  Path kubeconfig = LocalSettings.DEFAULT_KUBECONFIG;

  @Option(names = "--ready-file",
      description = "Write a JSON file with the URLs and the API key once everything runs (for scripts) "
          + "[STAGEFLEET_READY_FILE].")
  Path readyFile;

  /** The one setting whose flag says the opposite of its component, {@code sample}. */
  @Option(names = "--no-sample", negatable = false,
      description = "Start without the example LiveBroadcast and its API-key Secret [STAGEFLEET_NO_SAMPLE].")
  boolean noSample;

  @Option(names = "--without", split = ",", paramLabel = "PART",
      description = "Leave out a part (operator, gateway), to run it as its own process against the same API server "
          + "and emulator [STAGEFLEET_WITHOUT].")
  List<String> without = List.of();

  @Option(names = "--audience",
      description = "Simulated viewers joining the example broadcast (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_AUDIENCE].")
  int audience = LocalSettings.DEFAULT_AUDIENCE;

  @Option(names = "--ramp", paramLabel = "SECONDS",
      description = "Seconds the simulated audience takes to join (default ${DEFAULT-VALUE}) [STAGEFLEET_RAMP].")
  long ramp = LocalSettings.DEFAULT_RAMP.toSeconds();

  @Option(names = "--churn", negatable = false,
      description = "Simulated viewers leave and come back, so scaling down can be watched too [STAGEFLEET_CHURN].")
  boolean churn;

  @Option(names = "--web-root",
      description = "Directory of the web pages (default: web-frontend/src) [STAGEFLEET_WEB_ROOT].")
  Path webRoot;

  /** The options as local mode's settings, with the page directory the command found; the record checks them. */
  LocalSettings toSettings(Path pages) {
    var parts = without.stream().map(p -> p.strip().toLowerCase(Locale.ROOT)).filter(p -> !p.isEmpty())
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    return new LocalSettings(apiPort, gatewayPort, ivsPort, kubeconfig, readyFile, !noSample, parts, audience,
        Duration.ofSeconds(ramp), churn, pages);
  }
}
