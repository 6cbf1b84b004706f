package dev.stagefleet.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of local mode, filled by {@code stagefleet local}.
 *
 * @param apiPort     port of the embedded Kubernetes API (0 = any free port)
 * @param gatewayPort port of the gateway (0 = any free port)
 * @param ivsPort     port of the IVS emulator (0 = any free port)
 * @param kubeconfig  where to write the kubeconfig for kubectl
 * @param readyFile   where to write a JSON file with the URLs once everything runs (for scripts and tests), or null
 * @param sample      whether to apply the example LiveBroadcast and its API-key Secret
 * @param without     parts left out ("operator", "gateway") to run them as separate processes
 * @param audience    simulated viewers (0 = none)
 * @param ramp        how long the simulated audience takes to join
 * @param churn       whether simulated viewers leave and come back, so scaling down can be watched too
 * @param webRoot     directory of the web pages
 */
public record LocalSettings(int apiPort, int gatewayPort, int ivsPort, Path kubeconfig, Path readyFile,
    boolean sample, Set<String> without, int audience, Duration ramp, boolean churn, Path webRoot) {
  public static final int DEFAULT_API_PORT = 18443;
  public static final int DEFAULT_GATEWAY_PORT = 8080;
  public static final int DEFAULT_IVS_PORT = 18444;
  public static final Path DEFAULT_KUBECONFIG = Path.of("kubeconfig-local.yaml");
  public static final int DEFAULT_AUDIENCE = 0;
  public static final Duration DEFAULT_RAMP = Duration.ofSeconds(30);
  /** The parts that can be left out. */
  public static final Set<String> PARTS = Set.of("operator", "gateway");

  public LocalSettings {
    requirePort("apiPort", apiPort);
    requirePort("gatewayPort", gatewayPort);
    requirePort("ivsPort", ivsPort);
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    without = Set.copyOf(without);
    for (String part : without) {
      if (!PARTS.contains(part)) {
        throw new IllegalArgumentException("without takes operator or gateway, not \"" + part + "\"");
      }
    }
    if (audience < 0) {
      throw new IllegalArgumentException("audience must be 0 or more, got " + audience);
    }
    if (ramp == null || ramp.isNegative() || ramp.isZero()) {
      throw new IllegalArgumentException("ramp must be positive, got " + ramp);
    }
    if (audience > 0 && (!sample || without.contains("gateway"))) {
      throw new IllegalArgumentException("audience needs the example broadcast and the gateway");
    }
  }

  private static void requirePort(String name, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " must be between 0 and 65535, got " + port);
    }
  }

  public boolean runs(String part) {
    return !without.contains(part);
  }
}
