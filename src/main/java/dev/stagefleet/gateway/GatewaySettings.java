package dev.stagefleet.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the gateway server is configured with; {@link #defaults()} is the one place defaults live. The CLI fills
 * it from flags and {@code STAGEFLEET_*} environment variables.
 *
 * @param host                     address to bind (all interfaces by default)
 * @param port                     HTTP port; 0 picks a free one
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
 * @param heartbeatInterval        how often sockets get a heartbeat message
 * @param ticketTtl                how long a broadcaster socket ticket stays redeemable
 * @param audienceReportInterval   least time between two audience reports for one broadcast
 * @param audienceRefreshInterval  how often an unchanged, non-empty report is rewritten so it never goes stale
 * @param pendingViewerWindow      how long an issued token (or a dropped presence socket) still counts as a viewer
 * @param socketQueueLimit         messages queued for one socket before it is dropped as too slow
 * @param retryAfterSeconds        Retry-After sent when every stage is full
 */
public record GatewaySettings(String host, int port, List<String> namespaces, TokenMode tokenMode, String keySecret,
    Path keyFile, String keyArn, String replicaId, List<String> corsOrigins, boolean legacyEndpoints, Path webRoot,
    Path sdkFile, long maxBodyBytes, int viewerJoinsPerSecondPerIp, Duration heartbeatInterval, Duration ticketTtl,
    Duration audienceReportInterval, Duration audienceRefreshInterval, Duration pendingViewerWindow,
    int socketQueueLimit, int retryAfterSeconds) {

  public static final String DEFAULT_PORT = "8080";
  public static final String DEFAULT_TOKEN_MODE = "self-signed";
  public static final String DEFAULT_LEGACY_ENDPOINTS = "true";
  public static final String DEFAULT_WEB_ROOT = "web-frontend/src";
  /** Where npm puts the SDK bundle, relative to the web root's parent ({@code web-frontend/}). */
  public static final String SDK_IN_NODE_MODULES = "node_modules/amazon-ivs-web-broadcast/dist/amazon-ivs-web-broadcast.js";

  public GatewaySettings {
    Objects.requireNonNull(host, "host");
    namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
    corsOrigins = corsOrigins == null ? List.of() : List.copyOf(corsOrigins);
    Objects.requireNonNull(tokenMode, "tokenMode");
    if (replicaId == null || replicaId.isBlank()) {
      throw new IllegalArgumentException("replicaId must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, but is " + port);
    }
  }

  /** The defaults: port 8080, all namespaces, self-signed tokens, legacy endpoints on, pages from web-frontend/src. */
  public static GatewaySettings defaults() {
    Path webRoot = Path.of(DEFAULT_WEB_ROOT);
    return new GatewaySettings("0.0.0.0", Integer.parseInt(DEFAULT_PORT), List.of(), TokenMode.parse(DEFAULT_TOKEN_MODE),
        null, null, null, defaultReplicaId(), List.of(), Boolean.parseBoolean(DEFAULT_LEGACY_ENDPOINTS),
        Files.isDirectory(webRoot) ? webRoot : null, null, 16 * 1024, 20, Duration.ofSeconds(15),
        Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(30), 256, 5);
  }

  /** $POD_NAME, else the host name, else "gateway". */
  public static String defaultReplicaId() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    String host = System.getenv("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "gateway";
    }
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

  public GatewaySettings withHost(String host) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withPort(int port) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withNamespaces(List<String> namespaces) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withTokens(TokenMode tokenMode, String keySecret, Path keyFile, String keyArn) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withReplicaId(String replicaId) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withCorsOrigins(List<String> corsOrigins) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withLegacyEndpoints(boolean legacyEndpoints) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withWebRoot(Path webRoot, Path sdkFile) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withMaxBodyBytes(long maxBodyBytes) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withViewerJoinsPerSecondPerIp(int viewerJoinsPerSecondPerIp) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withHeartbeatInterval(Duration heartbeatInterval) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withTicketTtl(Duration ticketTtl) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withAudience(Duration reportInterval, Duration refreshInterval, Duration pendingViewerWindow) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        reportInterval, refreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
  }

  public GatewaySettings withSocketQueueLimit(int socketQueueLimit) {
    return new GatewaySettings(host, port, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId, corsOrigins,
        legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, heartbeatInterval, ticketTtl,
        audienceReportInterval, audienceRefreshInterval, pendingViewerWindow, socketQueueLimit, retryAfterSeconds);
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
