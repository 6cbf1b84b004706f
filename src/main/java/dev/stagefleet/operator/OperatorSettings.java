package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.AwsRegion;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the operator can be told, with its defaults in one place ({@link #defaults()}). The CLI fills it from
 * flags and {@code STAGEFLEET_*} variables; tests and local mode change some through {@link #builder()}.
 *
 * @param region                   AWS region for broadcasts that name none
 * @param clusterId                tag value telling this cluster's stages from another cluster's in the same account
 * @param namespaces               namespaces to watch; empty means all
 * @param healthPort               port of /healthz, /readyz and /metrics; 0 picks a free port, negative turns it off
 * @param leaderElection           only the holder of a Lease reconciles
 * @param leaseNamespace           namespace of the Lease; null means the client's namespace
 * @param leaseName                name of the Lease
 * @param serverSideApply          JOSDK adds and removes the finalizer with server-side apply instead of a JSON patch;
 *                                 off by default, as in every test (the mock API server cannot apply), so untested;
 *                                 status is always written as a JSON merge patch
 * @param orphanGracePeriod        how long a stage whose owner is gone is kept before it is deleted
 * @param inventoryRefreshInterval least time between two ListStages sweeps of a region
 * @param participantSampleRate    IVS participant counts per second the whole operator may take (0 turns it off)
 * @param resyncInterval           longest time between two looks at a broadcast when nothing is pending
 * @param retryBackoff             first delay after IVS failed; doubles per failure up to {@code maxRetryBackoff}
 * @param maxRetryBackoff          longest delay between retries after IVS failures
 * @param quotaBackoff             first pause of stage creation after a quota error; doubles up to 16 times as long
 */
public record OperatorSettings(String region, String clusterId, Set<String> namespaces, int healthPort,
    boolean leaderElection, String leaseNamespace, String leaseName, boolean serverSideApply,
    Duration orphanGracePeriod, Duration inventoryRefreshInterval, double participantSampleRate,
    Duration resyncInterval, Duration retryBackoff, Duration maxRetryBackoff, Duration quotaBackoff) {

  public static final String DEFAULT_LEASE_NAME = "stagefleet-operator";

  /** A Kubernetes namespace name: an RFC 1123 label. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public OperatorSettings {
    if (!AwsRegion.isValid(region)) {
      throw new IllegalArgumentException("region must be an AWS region such as us-east-1, got \"" + region + "\"");
    }
    Objects.requireNonNull(clusterId, "clusterId");
    namespaces = Set.copyOf(namespaces);
    for (String namespace : namespaces) {
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new IllegalArgumentException("namespaces: \"" + namespace + "\" is not a namespace name (lower-case "
            + "letters, digits and '-', at most 63)");
      }
    }
    if (healthPort > 65535) {
      throw new IllegalArgumentException("healthPort must be a port (0 to 65535, or -1 for none), got " + healthPort);
    }
    if (leaseName == null || leaseName.isBlank()) {
      throw new IllegalArgumentException("leaseName must not be empty");
    }
    requirePositive("inventoryRefreshInterval", inventoryRefreshInterval);
    requirePositive("resyncInterval", resyncInterval);
    requirePositive("retryBackoff", retryBackoff);
    requirePositive("maxRetryBackoff", maxRetryBackoff);
    requirePositive("quotaBackoff", quotaBackoff);
    if (orphanGracePeriod == null || orphanGracePeriod.isNegative()) {
      throw new IllegalArgumentException("orphanGracePeriod must be 0 or more, got " + orphanGracePeriod);
    }
    if (!(participantSampleRate >= 0)) {
      throw new IllegalArgumentException("participantSampleRate must be 0 or more, got " + participantSampleRate);
    }
    if (clusterId.isBlank() || clusterId.length() > 256) {
      throw new IllegalArgumentException("clusterId must be 1 to 256 characters long");
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  /** The production defaults. */
  public static OperatorSettings defaults() {
    return new OperatorSettings(AwsRegion.DEFAULT, "default", Set.of(), 8081, true, null, DEFAULT_LEASE_NAME, false,
        Duration.ofSeconds(120), Duration.ofSeconds(5), 2.0, Duration.ofSeconds(10), Duration.ofSeconds(1),
        Duration.ofSeconds(60), Duration.ofSeconds(30));
  }

  /** How often orphans are looked for: often enough to honour the grace period, rarely enough to cost little. */
  public Duration orphanSweepInterval() {
    Duration quarter = orphanGracePeriod.dividedBy(4);
    return quarter.compareTo(inventoryRefreshInterval) > 0 ? quarter : inventoryRefreshInterval;
  }

  /** A builder starting at the defaults. */
  public static OperatorSettingsBuilder builder() {
    return defaults().toBuilder();
  }

  /** A builder starting at these settings, to change some of them. */
  public OperatorSettingsBuilder toBuilder() {
    return new OperatorSettingsBuilder(this);
  }
}
