package dev.stagefleet.cli;

import dev.stagefleet.operator.OperatorSettings;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The operator's options: one field per {@link OperatorSettings} component, named like it and starting at its
 * default; {@link #toSettings()} is the one mapping, and the record checks the values.
 */
final class OperatorOptions {
  private static final OperatorSettings DEFAULTS = OperatorSettings.defaults();

  @Mixin
  IvsOptions ivs;

  @Option(names = "--cluster-id",
      description = "Tags this cluster's stages, so clusters can share an AWS account (default: ${DEFAULT-VALUE}).")
  String clusterId = DEFAULTS.clusterId();

  @Option(names = "--namespaces", split = ",",
      description = "Comma-separated namespaces to watch (default: all).")
  List<String> namespaces = List.copyOf(DEFAULTS.namespaces());

  @Option(names = "--health-port",
      description = "Port of /healthz, /readyz and /metrics; 0 picks a free one, -1 turns it off "
          + "(default: ${DEFAULT-VALUE}).")
  int healthPort = DEFAULTS.healthPort();

  @Option(names = "--leader-election", arity = "0..1", fallbackValue = "true",
      description = "Reconcile only while holding the Lease (default: ${DEFAULT-VALUE}).")
  boolean leaderElection = DEFAULTS.leaderElection();

  @Option(names = "--lease-namespace",
      description = "Namespace of the leader-election Lease (default: the operator's own namespace).")
  String leaseNamespace = DEFAULTS.leaseNamespace();

  @Option(names = "--lease-name",
      description = "Name of the leader-election Lease (default: ${DEFAULT-VALUE}).")
  String leaseName = DEFAULTS.leaseName();

  @Option(names = "--server-side-apply", arity = "0..1", fallbackValue = "true",
      description = "Add and remove the LiveBroadcast's finalizer with server-side apply instead of a JSON patch; "
          + "untested (the test suite's API server cannot apply), so off by default (default: ${DEFAULT-VALUE}).")
  boolean serverSideApply = DEFAULTS.serverSideApply();

  @Option(names = "--orphan-grace-seconds", paramLabel = "SECONDS",
      description = "Seconds a stage whose LiveBroadcast is gone is kept before it is deleted "
          + "(default: ${DEFAULT-VALUE}).")
  long orphanGracePeriod = DEFAULTS.orphanGracePeriod().toSeconds();

  @Option(names = "--inventory-refresh-seconds", paramLabel = "SECONDS",
      description = "Least seconds between two ListStages sweeps of a region (default: ${DEFAULT-VALUE}).")
  long inventoryRefreshInterval = DEFAULTS.inventoryRefreshInterval().toSeconds();

  @Option(names = "--participant-sample-rate",
      description = "IVS participant counts per second for the whole operator; 0 turns sampling off "
          + "(default: ${DEFAULT-VALUE}).")
  double participantSampleRate = DEFAULTS.participantSampleRate();

  @Option(names = "--resync-seconds", paramLabel = "SECONDS",
      description = "Longest seconds between two looks at a broadcast when nothing is pending "
          + "(default: ${DEFAULT-VALUE}).")
  long resyncInterval = DEFAULTS.resyncInterval().toSeconds();

  @Option(names = "--retry-backoff-seconds", paramLabel = "SECONDS",
      description = "Seconds before the first retry after IVS failed; doubles per failure up to "
          + "--max-retry-backoff-seconds (default: ${DEFAULT-VALUE}).")
  long retryBackoff = DEFAULTS.retryBackoff().toSeconds();

  @Option(names = "--max-retry-backoff-seconds", paramLabel = "SECONDS",
      description = "Longest seconds between two retries after IVS failures (default: ${DEFAULT-VALUE}).")
  long maxRetryBackoff = DEFAULTS.maxRetryBackoff().toSeconds();

  @Option(names = "--quota-backoff-seconds", paramLabel = "SECONDS",
      description = "Seconds stage creation first pauses after an IVS quota error; doubles up to 16 times as long "
          + "(default: ${DEFAULT-VALUE}).")
  long quotaBackoff = DEFAULTS.quotaBackoff().toSeconds();

  /** The options as the operator's settings; the record's own checks say what is wrong. */
  OperatorSettings toSettings() {
    Set<String> watched = new LinkedHashSet<>();
    if (namespaces != null) {
      namespaces.stream().map(String::strip).filter(n -> !n.isEmpty()).forEach(watched::add);
    }
    return new OperatorSettings(ivs.region(), clusterId, watched, healthPort, leaderElection,
        Messages.blankToNull(leaseNamespace), leaseName, serverSideApply, Duration.ofSeconds(orphanGracePeriod),
        Duration.ofSeconds(inventoryRefreshInterval), participantSampleRate, Duration.ofSeconds(resyncInterval),
        Duration.ofSeconds(retryBackoff), Duration.ofSeconds(maxRetryBackoff), Duration.ofSeconds(quotaBackoff));
  }
}
