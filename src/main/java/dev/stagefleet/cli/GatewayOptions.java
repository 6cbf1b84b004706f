package dev.stagefleet.cli;

import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The gateway's options: one field per {@link GatewaySettings} component, named like it and starting at its default;
 * {@link #toSettings()} is the one mapping, and the record checks the values.
 */
final class GatewayOptions {
  private static final GatewaySettings DEFAULTS = GatewaySettings.defaults();
  /** The pages of a checkout, served when the gateway starts in one. */
  private static final Path PAGES_HERE = Path.of(GatewaySettings.DEFAULT_WEB_ROOT);

  @Option(names = "--port", description = "HTTP port (default ${DEFAULT-VALUE}) [STAGEFLEET_PORT].")
  int port = DEFAULTS.port();

  @Option(names = "--metrics-port",
      description = "Port of Prometheus /metrics, apart from the API so an Ingress never exposes it; 0 picks a free "
          + "one, -1 serves none (default ${DEFAULT-VALUE}) [STAGEFLEET_METRICS_PORT].")
  int metricsPort = DEFAULTS.metricsPort();

  @Option(names = "--host", description = "Address to listen on (default ${DEFAULT-VALUE}) [STAGEFLEET_HOST].")
  String host = DEFAULTS.host();

  @Option(names = "--namespaces", split = ",",
      description = "Namespaces to watch, comma-separated (default: all) [STAGEFLEET_NAMESPACES].")
  List<String> namespaces = DEFAULTS.namespaces();

  @Option(names = "--token-mode", converter = TokenModes.class,
      description = "self-signed (ES384, signed locally) or api (CreateParticipantToken, 50/s) "
          + "(default ${DEFAULT-VALUE}) [STAGEFLEET_TOKEN_MODE].")
  TokenMode tokenMode = DEFAULTS.tokenMode();

  @Option(names = "--key-secret",
      description = "namespace/name of the Secret with privateKey and publicKeyArn (see 'stagefleet keys create') "
          + "[STAGEFLEET_KEY_SECRET].")
  String keySecret = DEFAULTS.keySecret();

  @Option(names = "--key-file",
      description = "PEM file with the P-384 private key, instead of --key-secret [STAGEFLEET_KEY_FILE].")
  Path keyFile = DEFAULTS.keyFile();

  @Option(names = "--key-arn",
      description = "ARN of the imported public key belonging to --key-file [STAGEFLEET_KEY_ARN].")
  String keyArn = DEFAULTS.keyArn();

  @Option(names = "--replica-id",
      description = "This replica's key in status.audience (default: $POD_NAME or the host name) "
          + "[STAGEFLEET_REPLICA_ID].")
  String replicaId = podOrHostName();

  @Option(names = "--cors-origins", split = ",",
      description = "Origins allowed to call the API from browsers, comma-separated, or * (default: none) "
          + "[STAGEFLEET_CORS_ORIGINS].")
  List<String> corsOrigins = DEFAULTS.corsOrigins();

  @Option(names = "--legacy-endpoints", arity = "1",
      description = "Serve the seed design's /api/broadcaster/* and /?type=broadcaster socket (API key in the URL) "
          + "(default ${DEFAULT-VALUE}) [STAGEFLEET_LEGACY_ENDPOINTS].")
  boolean legacyEndpoints = DEFAULTS.legacyEndpoints();

  @Option(names = "--web-root",
      description = "Directory with the broadcaster/ and viewer/ pages (default: ./" + GatewaySettings.DEFAULT_WEB_ROOT
          + " if present) [STAGEFLEET_WEB_ROOT].")
  Path webRoot = Files.isDirectory(PAGES_HERE) ? PAGES_HERE : DEFAULTS.webRoot();

  @Option(names = "--sdk-file",
      description = "The IVS web broadcast SDK bundle to serve to the pages (default: the npm copy, web-frontend/"
          + GatewaySettings.SDK_IN_NODE_MODULES + ", if present) [STAGEFLEET_SDK_FILE].")
  Path sdkFile = DEFAULTS.sdkFile();

  @Option(names = "--max-body-bytes",
      description = "Largest request body accepted (default ${DEFAULT-VALUE}) [STAGEFLEET_MAX_BODY_BYTES].")
  long maxBodyBytes = DEFAULTS.maxBodyBytes();

  @Option(names = "--viewer-joins-per-second",
      description = "Viewer joins one client address may make per second (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_VIEWER_JOINS_PER_SECOND].")
  int viewerJoinsPerSecondPerIp = DEFAULTS.viewerJoinsPerSecondPerIp();

  @Option(names = "--trust-forwarded-for", arity = "1",
      description = "Take the client address for rate limits from X-Forwarded-For; only behind a proxy that sets "
          + "it (default ${DEFAULT-VALUE}) [STAGEFLEET_TRUST_FORWARDED_FOR].")
  boolean trustForwardedFor = DEFAULTS.trustForwardedFor();

  @Option(names = "--heartbeat-seconds", paramLabel = "SECONDS",
      description = "How often sockets get a heartbeat message (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_HEARTBEAT_SECONDS].")
  long heartbeatInterval = DEFAULTS.heartbeatInterval().toSeconds();

  @Option(names = "--ticket-ttl-seconds", paramLabel = "SECONDS",
      description = "How long a broadcaster socket ticket stays redeemable (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_TICKET_TTL_SECONDS].")
  long ticketTtl = DEFAULTS.ticketTtl().toSeconds();

  @Option(names = "--audience-report-ms", paramLabel = "MILLIS",
      description = "Least milliseconds between two audience reports for one broadcast, but for seat claims and "
          + "demand that would add a stage, written at once (at most every 150 ms) (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_AUDIENCE_REPORT_MS].")
  long audienceReportInterval = DEFAULTS.audienceReportInterval().toMillis();

  @Option(names = "--audience-refresh-seconds", paramLabel = "SECONDS",
      description = "How often an unchanged, non-empty audience report is rewritten so it never goes stale "
          + "(default ${DEFAULT-VALUE}) [STAGEFLEET_AUDIENCE_REFRESH_SECONDS].")
  long audienceRefreshInterval = DEFAULTS.audienceRefreshInterval().toSeconds();

  @Option(names = "--pending-viewer-seconds", paramLabel = "SECONDS",
      description = "How long an issued token, or a dropped presence socket, still counts as a viewer "
          + "(default ${DEFAULT-VALUE}) [STAGEFLEET_PENDING_VIEWER_SECONDS].")
  long pendingViewerWindow = DEFAULTS.pendingViewerWindow().toSeconds();

  @Option(names = "--socket-queue-limit",
      description = "Messages queued for one socket before it is dropped as too slow (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_SOCKET_QUEUE_LIMIT].")
  int socketQueueLimit = DEFAULTS.socketQueueLimit();

  @Option(names = "--retry-after-seconds", paramLabel = "SECONDS",
      description = "Retry-After sent to viewers when every stage is full (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_RETRY_AFTER_SECONDS].")
  int retryAfterSeconds = DEFAULTS.retryAfterSeconds();

  @Option(names = "--claims-key-file",
      description = "File with a random key (32 bytes or more) every gateway replica shares, signing presence passes, "
          + "waitIds and socket tickets when the gateway signs no tokens itself (--token-mode api), so any replica "
          + "accepts them; the chart makes one. Without it, in api mode they work only on the replica that issued "
          + "them [STAGEFLEET_CLAIMS_KEY_FILE].")
  Path claimsKeyFile = DEFAULTS.claimsKeyFile();

  @Option(names = "--warm-up-joins", paramLabel = "JOINS",
      description = "Viewer joins the gateway serves itself at start, through a private copy that nothing outside "
          + "the process sees, before /ready turns 200, so the first storm of viewers meets compiled code; 0 turns "
          + "it off (default ${DEFAULT-VALUE}, at most " + GatewaySettings.MAX_WARM_UP_JOINS
          + ") [STAGEFLEET_WARM_UP_JOINS].")
  int warmUpJoins = DEFAULTS.warmUpJoins();

  /** The options as the gateway's settings; the record's own checks say what is wrong. */
  GatewaySettings toSettings() {
    // files are the command line's business: the record takes any path, tests hand it ones that do not exist yet
    if (webRoot != null && !Files.isDirectory(webRoot)) {
      throw new IllegalArgumentException("webRoot " + webRoot + " is not a directory");
    }
    if (keyFile != null && !Files.isReadable(keyFile)) {
      throw new IllegalArgumentException("keyFile " + keyFile + " cannot be read");
    }
    if (claimsKeyFile != null && !Files.isReadable(claimsKeyFile)) {
      throw new IllegalArgumentException("claimsKeyFile " + claimsKeyFile + " cannot be read");
    }
    return new GatewaySettings(host, port, metricsPort, nonBlank(namespaces), tokenMode,
        Messages.blankToNull(keySecret), keyFile, Messages.blankToNull(keyArn), Messages.blankToNull(replicaId),
        nonBlank(corsOrigins), legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp,
        trustForwardedFor, Duration.ofSeconds(heartbeatInterval), Duration.ofSeconds(ticketTtl),
        Duration.ofMillis(audienceReportInterval), Duration.ofSeconds(audienceRefreshInterval),
        Duration.ofSeconds(pendingViewerWindow), socketQueueLimit, retryAfterSeconds, claimsKeyFile, warmUpJoins);
  }

  /** $POD_NAME, else the host name, else the settings' default: what tells this replica from the others. */
  private static String podOrHostName() {
    for (String variable : List.of("POD_NAME", "HOSTNAME")) {
      String value = System.getenv(variable);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return DEFAULTS.replicaId();
    }
  }

  private static List<String> nonBlank(List<String> values) {
    return values == null ? List.of() : values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
  }

  /** {@code self-signed} or {@code api}, as the flag is written. */
  static final class TokenModes implements ITypeConverter<TokenMode> {
    @Override
    public TokenMode convert(String value) {
      try {
        return TokenMode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
