package dev.stagefleet.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the gateway server is configured with; {@link #defaults()} is the one place defaults live. The CLI fills
 * it from flags and {@code STAGEFLEET_*} environment variables, plus the checkout's pages and the pod's name it finds;
 * tests and local mode change some through {@link #builder()}.
 *
 * @param host                     address to bind (all interfaces by default)
 * @param port                     HTTP port; 0 picks a free one
 * @param metricsPort              port of Prometheus {@code /metrics}, apart from the API; 0 picks a free one, -1: none
 * @param namespaces               namespaces whose LiveBroadcasts and Secrets are watched; empty means all
 * @param tokenMode                how participant tokens are minted
 * @param keySecret                {@code namespace/name} of a Secret with {@code privateKey} and {@code publicKeyArn}
 * @param keyFile                  PEM file with the private key (self-signed mode, instead of keySecret)
 * @param keyArn                   ARN of the imported public key belonging to keyFile
 * @param replicaId                this replica's key in {@code status.audience}
 * @param corsOrigins              origins allowed to call the API from a browser ({@code *} for any); empty: none
 * @param legacyEndpoints          serve the seed design's endpoints (key in the socket URL)
 * @param webRoot                  directory holding {@code broadcaster/} and {@code viewer/} pages; null serves none
 * @param sdkFile                  the npm-installed {@code amazon-ivs-web-broadcast.js}; null or missing serves none
 * @param maxBodyBytes             largest request body accepted
 * @param viewerJoinsPerSecondPerIp viewer joins one client address may make each second
 * @param trustForwardedFor        take the client address from X-Forwarded-For (behind a proxy that sets it)
 * @param heartbeatInterval        how often sockets get a heartbeat message
 * @param ticketTtl                how long a broadcaster socket ticket stays redeemable
 * @param audienceReportInterval   the report tick: least time between two reports for one broadcast, but for seat
 *                                 claims and demand that would change the operator's decision (at most one such write
 *                                 per 150 ms)
 * @param audienceRefreshInterval  how often an unchanged, non-empty report is rewritten so it never goes stale
 * @param pendingViewerWindow      how long an issued token (or a dropped presence socket) still counts as a viewer
 * @param socketQueueLimit         messages queued for one socket before it is dropped as too slow
 * @param retryAfterSeconds        Retry-After sent when every stage is full
 * @param claimsKeyFile            file with a random key every replica shares, for presence passes, wait passes and
 *                                 socket tickets when the gateway signs no tokens itself (api token mode); null: a
 *                                 key of each process, and those work only on the replica that issued them
 * @param warmUpJoins              joins the gateway serves itself at start, before /ready turns 200, so the first
 *                                 storm meets compiled code (see {@link GatewayWarmUp}); 0: none
 */
public record GatewaySettings(String host, int port, int metricsPort, List<String> namespaces, TokenMode tokenMode,
    String keySecret, Path keyFile, String keyArn, String replicaId, List<String> corsOrigins, boolean legacyEndpoints,
    Path webRoot, Path sdkFile, long maxBodyBytes, int viewerJoinsPerSecondPerIp, boolean trustForwardedFor,
    Duration heartbeatInterval, Duration ticketTtl, Duration audienceReportInterval, Duration audienceRefreshInterval,
    Duration pendingViewerWindow, int socketQueueLimit, int retryAfterSeconds, Path claimsKeyFile, int warmUpJoins) {

  /** The most warm-up joins a gateway may be asked for (its private broadcast's seats). */
  public static final int MAX_WARM_UP_JOINS = 100_000;

  public static final String DEFAULT_WEB_ROOT = "web-frontend/src";
  /** Where npm puts the SDK bundle, relative to the web root's parent ({@code web-frontend/}). */
  public static final String SDK_IN_NODE_MODULES =
      "node_modules/amazon-ivs-web-broadcast/dist/amazon-ivs-web-broadcast.js";

  public GatewaySettings {
    Objects.requireNonNull(host, "host");
    namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
    corsOrigins = corsOrigins == null ? List.of() : List.copyOf(corsOrigins);
    Objects.requireNonNull(tokenMode, "tokenMode");
    if (replicaId == null || replicaId.isBlank()) {
      throw new IllegalArgumentException("replicaId must not be empty");
    }
    requirePositive("heartbeatInterval", heartbeatInterval);
    requirePositive("ticketTtl", ticketTtl);
    requirePositive("audienceReportInterval", audienceReportInterval);
    requirePositive("audienceRefreshInterval", audienceRefreshInterval);
    requirePositive("pendingViewerWindow", pendingViewerWindow);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, but is " + port);
    }
    if (metricsPort < -1 || metricsPort > 65535) {
      throw new IllegalArgumentException("metricsPort must be between 0 and 65535 (or -1 for none), but is "
          + metricsPort);
    }
    if (metricsPort > 0 && metricsPort == port) {
      throw new IllegalArgumentException("metricsPort must differ from the HTTP port " + port);
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be at least 1, but is " + maxBodyBytes);
    }
    if (viewerJoinsPerSecondPerIp < 1) {
      throw new IllegalArgumentException("viewerJoinsPerSecondPerIp must be at least 1, but is "
          + viewerJoinsPerSecondPerIp);
    }
    if (socketQueueLimit < 1) {
      throw new IllegalArgumentException("socketQueueLimit must be at least 1, but is " + socketQueueLimit);
    }
    if (warmUpJoins < 0 || warmUpJoins > MAX_WARM_UP_JOINS) {
      throw new IllegalArgumentException("warmUpJoins must be between 0 and " + MAX_WARM_UP_JOINS + ", but is "
          + warmUpJoins);
    }
    if (retryAfterSeconds < 1) {
      throw new IllegalArgumentException("retryAfterSeconds must be at least 1, but is " + retryAfterSeconds);
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, but is " + d);
    }
  }

  /**
   * The defaults: port 8080, /metrics on 8082, all namespaces, self-signed tokens, legacy endpoints on, no pages,
   * replica "gateway". The command line adds what it finds around it: the pages and the pod's name.
   */
  public static GatewaySettings defaults() {
    return new GatewaySettings("0.0.0.0", 8080, 8082, List.of(), TokenMode.SELF_SIGNED, null, null, null, "gateway",
        List.of(), true, null, null, 16 * 1024, 20, false, Duration.ofSeconds(15), Duration.ofSeconds(30),
        Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(30), 256, 5, null, GatewayWarmUp.JOINS);
  }

  /** A builder starting at the defaults. */
  public static GatewaySettingsBuilder builder() {
    return defaults().toBuilder();
  }

  /** The SDK bundle to serve: {@link #sdkFile} when set, else the npm copy next to the web root, if it exists. */
  public Path sdkFileOrDefault() {
    if (sdkFile != null) {
      return sdkFile;
    }
    if (webRoot == null) {
      return null;
    }
    Path parent = webRoot.toAbsolutePath().getParent();
    return parent == null ? null : parent.resolve(SDK_IN_NODE_MODULES);
  }

  /** A builder starting at these settings, to change some of them. */
  public GatewaySettingsBuilder toBuilder() {
    return new GatewaySettingsBuilder(this);
  }

  /** How participant tokens are minted. */
  public enum TokenMode {
    /** ES384 JWTs signed locally with a key whose public half is imported into IVS. */
    SELF_SIGNED("self-signed"),
    /** IVS CreateParticipantToken (50 calls a second per account and region). */
    API("api");

    private final String flag;

    TokenMode(String flag) {
      this.flag = flag;
    }

    /** The value as written on the command line. */
    public String flag() {
      return flag;
    }

    /** The flag's spelling, so that help texts show the default as it is written. */
    @Override
    public String toString() {
      return flag;
    }

    /** Parses {@code self-signed} or {@code api}. */
    public static TokenMode parse(String value) {
      for (TokenMode mode : values()) {
        if (mode.flag.equalsIgnoreCase(value == null ? "" : value.trim())) {
          return mode;
        }
      }
      throw new IllegalArgumentException("token mode must be self-signed or api, not \"" + value + "\"");
    }
  }
}
