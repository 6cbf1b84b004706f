package dev.stagefleet.cli;

import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the gateway (participant tokens, viewer placement, broadcaster WebSocket) until SIGTERM. */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs the gateway: participant tokens, viewer placement, the broadcaster WebSocket and audience "
        + "reports, for the LiveBroadcasts in the cluster.",
        "Every option can also be set with the environment variable in brackets."})
public final class GatewayCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "${env:STAGEFLEET_PORT:-" + GatewaySettings.DEFAULT_PORT + "}",
      description = "HTTP port (default ${DEFAULT-VALUE}) [STAGEFLEET_PORT].")
  int port;

  @Option(names = "--metrics-port",
      defaultValue = "${env:STAGEFLEET_METRICS_PORT:-" + GatewaySettings.DEFAULT_METRICS_PORT + "}",
      description = "Port of Prometheus /metrics, apart from the API so an Ingress never exposes it; 0 picks a free "
          + "one, -1 serves none (default ${DEFAULT-VALUE}) [STAGEFLEET_METRICS_PORT].")
  int metricsPort;

  @Option(names = "--host", defaultValue = "${env:STAGEFLEET_HOST:-0.0.0.0}",
      description = "Address to listen on (default ${DEFAULT-VALUE}) [STAGEFLEET_HOST].")
  String host;

  @Option(names = "--kubeconfig", defaultValue = "${env:STAGEFLEET_KUBECONFIG}",
      description = "Kubeconfig file (default: the standard resolution, in-cluster or ~/.kube/config) "
          + "[STAGEFLEET_KUBECONFIG].")
  Path kubeconfig;

  @Option(names = "--namespaces", split = ",", defaultValue = "${env:STAGEFLEET_NAMESPACES}",
      description = "Namespaces to watch, comma-separated (default: all) [STAGEFLEET_NAMESPACES].")
  List<String> namespaces;

  @Option(names = "--region", defaultValue = "${env:STAGEFLEET_REGION:-us-east-1}",
      description = "AWS region for api token mode (default ${DEFAULT-VALUE}) [STAGEFLEET_REGION].")
  String region;

  @Option(names = "--ivs-endpoint", defaultValue = "${env:STAGEFLEET_IVS_ENDPOINT}",
      description = "IVS endpoint override, e.g. the emulator's URL [STAGEFLEET_IVS_ENDPOINT].")
  URI ivsEndpoint;

  @Option(names = "--token-mode",
      defaultValue = "${env:STAGEFLEET_TOKEN_MODE:-" + GatewaySettings.DEFAULT_TOKEN_MODE + "}",
      description = "self-signed (ES384, signed locally) or api (CreateParticipantToken, 50/s) "
          + "(default ${DEFAULT-VALUE}) [STAGEFLEET_TOKEN_MODE].")
  String tokenMode;

  @Option(names = "--key-secret", defaultValue = "${env:STAGEFLEET_KEY_SECRET}",
      description = "namespace/name of the Secret with privateKey and publicKeyArn (see 'stagefleet keys create') "
          + "[STAGEFLEET_KEY_SECRET].")
  String keySecret;

  @Option(names = "--key-file", defaultValue = "${env:STAGEFLEET_KEY_FILE}",
      description = "PEM file with the P-384 private key, instead of --key-secret [STAGEFLEET_KEY_FILE].")
  Path keyFile;

  @Option(names = "--key-arn", defaultValue = "${env:STAGEFLEET_KEY_ARN}",
      description = "ARN of the imported public key belonging to --key-file [STAGEFLEET_KEY_ARN].")
  String keyArn;

  @Option(names = "--replica-id", defaultValue = "${env:STAGEFLEET_REPLICA_ID}",
      description = "This replica's key in status.audience (default: $POD_NAME or the host name) "
          + "[STAGEFLEET_REPLICA_ID].")
  String replicaId;

  @Option(names = "--cors-origins", split = ",", defaultValue = "${env:STAGEFLEET_CORS_ORIGINS}",
      description = "Origins allowed to call the API from browsers, comma-separated, or * (default: none) "
          + "[STAGEFLEET_CORS_ORIGINS].")
  List<String> corsOrigins;

  @Option(names = "--legacy-endpoints", arity = "1",
      defaultValue = "${env:STAGEFLEET_LEGACY_ENDPOINTS:-" + GatewaySettings.DEFAULT_LEGACY_ENDPOINTS + "}",
      description = "Serve the seed design's /api/broadcaster/* and /?type=broadcaster socket (API key in the URL) "
          + "(default ${DEFAULT-VALUE}) [STAGEFLEET_LEGACY_ENDPOINTS].")
  boolean legacyEndpoints;

  @Option(names = "--web-root", defaultValue = "${env:STAGEFLEET_WEB_ROOT}",
      description = "Directory with the broadcaster/ and viewer/ pages (default: ./" + GatewaySettings.DEFAULT_WEB_ROOT
          + " if present) [STAGEFLEET_WEB_ROOT].")
  Path webRoot;

  @Option(names = "--viewer-joins-per-second",
      defaultValue = "${env:STAGEFLEET_VIEWER_JOINS_PER_SECOND:-" + GatewaySettings.DEFAULT_VIEWER_JOINS_PER_SECOND
          + "}",
      description = "Viewer joins one client address may make per second (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_VIEWER_JOINS_PER_SECOND].")
  int viewerJoinsPerSecond;

  @Option(names = "--trust-forwarded-for", arity = "1", defaultValue = "${env:STAGEFLEET_TRUST_FORWARDED_FOR:-false}",
      description = "Take the client address for rate limits from X-Forwarded-For; only behind a proxy that sets "
          + "it (default ${DEFAULT-VALUE}) [STAGEFLEET_TRUST_FORWARDED_FOR].")
  boolean trustForwardedFor;

  @Override
  public Integer call() throws Exception {
    GatewaySettings settings = settings();
    KubernetesClient client = kubernetesClient(kubeconfig);
    SdkIvsService ivs = settings.tokenMode() == TokenMode.API ? ivsService() : null;
    GatewayServer server;
    try {
      server = new GatewayServer(settings, client, ivs, Clock.systemUTC()).start();
    } catch (IllegalArgumentException e) {
      close(client, ivs);
      throw new UserFacingException(e.getMessage());
    } catch (RuntimeException e) {
      close(client, ivs);
      if (causedBy(e, BindException.class)) {
        throw new UserFacingException("cannot listen on " + host + ":" + port + " or :" + metricsPort
            + " (--metrics-port): the port is in use");
      }
      throw e;
    }
    System.out.println("stagefleet gateway listening on http://" + host + ":" + server.port() + ", /metrics on port "
        + server.metricsPort() + " ("
        + settings.tokenMode().flag() + " tokens, replica " + settings.replicaId() + ")");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      close(client, ivs);
      stopped.countDown();
    }, "gateway-shutdown"));
    stopped.await();
    return 0;
  }

  /** The settings these options describe; defaults come from {@link GatewaySettings#defaults()}. */
  GatewaySettings settings() {
    TokenMode mode;
    try {
      mode = TokenMode.parse(tokenMode);
    } catch (IllegalArgumentException e) {
      throw new UserFacingException("--token-mode: " + e.getMessage());
    }
    GatewaySettings defaults = GatewaySettings.defaults();
    Path pages = webRoot != null ? webRoot : defaults.webRoot();
    if (webRoot != null && !Files.isDirectory(webRoot)) {
      throw new UserFacingException("--web-root " + webRoot + " is not a directory");
    }
    if (keyFile != null && !Files.isReadable(keyFile)) {
      throw new UserFacingException("--key-file " + keyFile + " cannot be read");
    }
    GatewaySettings settings;
    try {
      settings = defaults.withHost(host).withPort(port).withMetricsPort(metricsPort);
    } catch (IllegalArgumentException e) {
      throw new UserFacingException("--port, --metrics-port: " + e.getMessage());
    }
    settings = settings
        .withNamespaces(nonBlank(namespaces))
        .withTokens(mode, blankToNull(keySecret), keyFile, blankToNull(keyArn))
        .withCorsOrigins(nonBlank(corsOrigins))
        .withLegacyEndpoints(legacyEndpoints)
        .withWebRoot(pages, null)
        .withTrustForwardedFor(trustForwardedFor);
    if (replicaId != null && !replicaId.isBlank()) {
      settings = settings.withReplicaId(replicaId.strip());
    }
    if (viewerJoinsPerSecond < 1) {
      throw new UserFacingException("--viewer-joins-per-second must be at least 1");
    }
    settings = settings.withViewerJoinsPerSecondPerIp(viewerJoinsPerSecond);
    return settings;
  }

  private static void close(KubernetesClient client, SdkIvsService ivs) {
    client.close();
    if (ivs != null) {
      ivs.close();
    }
  }

  private SdkIvsService ivsService() {
    return ivsEndpoint != null ? SdkIvsService.forEndpoint(ivsEndpoint, region, new IvsRateLimits())
        : SdkIvsService.forAws(region, new IvsRateLimits());
  }

  static KubernetesClient kubernetesClient(Path kubeconfig) {
    if (kubeconfig == null) {
      return new KubernetesClientBuilder().build();
    }
    try {
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserFacingException("cannot read --kubeconfig " + kubeconfig + ": no such file");
    } catch (IOException e) {
      throw new UserFacingException("cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new UserFacingException("--kubeconfig " + kubeconfig + " is not a usable kubeconfig: " + e.getMessage());
    }
  }

  private static List<String> nonBlank(List<String> values) {
    return values == null ? List.of() : values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
