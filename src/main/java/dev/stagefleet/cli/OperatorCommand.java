package dev.stagefleet.cli;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.ivs.SdkIvsService;
import dev.stagefleet.operator.OperatorRuntime;
import dev.stagefleet.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.File;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the operator (reconciles LiveBroadcasts into IVS stages) until SIGTERM. */
@Command(name = "operator", mixinStandardHelpOptions = true,
    description = {"Runs the operator: reconciles LiveBroadcasts into IVS real-time stages.",
        "Serves /healthz, /readyz and Prometheus /metrics on --health-port.",
        "Every option can also be set as an environment variable STAGEFLEET_<OPTION> (e.g. STAGEFLEET_CLUSTER_ID)."})
public final class OperatorCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** An AWS region name, for example us-east-1 or us-gov-west-1. */
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
  /** A Kubernetes namespace name: an RFC 1123 label. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  @Option(names = "--kubeconfig", defaultValue = "${env:STAGEFLEET_KUBECONFIG}",
      description = "Kubeconfig file (default: the standard resolution: $KUBECONFIG, ~/.kube/config, in-cluster).")
  File kubeconfig;

  @Option(names = "--region", defaultValue = "${env:STAGEFLEET_REGION:-" + OperatorSettings.DEFAULT_REGION + "}",
      description = "AWS region of broadcasts that name none (default: ${DEFAULT-VALUE}).")
  String region;

  @Option(names = "--cluster-id",
      defaultValue = "${env:STAGEFLEET_CLUSTER_ID:-" + OperatorSettings.DEFAULT_CLUSTER_ID + "}",
      description = "Tags this cluster's stages, so clusters can share an AWS account (default: ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(names = "--namespaces", split = ",", defaultValue = "${env:STAGEFLEET_NAMESPACES:-}",
      description = "Comma-separated namespaces to watch (default: all).")
  String[] namespaces;

  @Option(names = "--ivs-endpoint", defaultValue = "${env:STAGEFLEET_IVS_ENDPOINT}",
      description = "IVS endpoint override, for example the IVS emulator's http://127.0.0.1:4590 (serves --region only).")
  String ivsEndpoint;

  @Option(names = "--health-port",
      defaultValue = "${env:STAGEFLEET_HEALTH_PORT:-" + OperatorSettings.DEFAULT_HEALTH_PORT + "}",
      description = "Port of /healthz, /readyz and /metrics; 0 picks a free one, -1 turns it off "
          + "(default: ${DEFAULT-VALUE}).")
  int healthPort;

  @Option(names = "--leader-election", arity = "0..1", fallbackValue = "true",
      defaultValue = "${env:STAGEFLEET_LEADER_ELECTION:-true}",
      description = "Reconcile only while holding the Lease (default: ${DEFAULT-VALUE}).")
  boolean leaderElection;

  @Option(names = "--lease-namespace", defaultValue = "${env:STAGEFLEET_LEASE_NAMESPACE}",
      description = "Namespace of the leader-election Lease (default: the operator's own namespace).")
  String leaseNamespace;

  @Option(names = "--server-side-apply", arity = "0..1", fallbackValue = "true",
      defaultValue = "${env:STAGEFLEET_SERVER_SIDE_APPLY:-false}",
      description = "Add and remove the LiveBroadcast's finalizer with server-side apply instead of a JSON patch; "
          + "untested (the test suite's API server cannot apply), so off by default (default: ${DEFAULT-VALUE}).")
  boolean serverSideApply;

  @Option(names = "--orphan-grace-seconds",
      defaultValue = "${env:STAGEFLEET_ORPHAN_GRACE_SECONDS:-" + OperatorSettings.DEFAULT_ORPHAN_GRACE_SECONDS + "}",
      description = "Seconds a stage whose LiveBroadcast is gone is kept before it is deleted "
          + "(default: ${DEFAULT-VALUE}).")
  long orphanGraceSeconds;

  @Option(names = "--inventory-refresh-seconds",
      defaultValue = "${env:STAGEFLEET_INVENTORY_REFRESH_SECONDS:-"
          + OperatorSettings.DEFAULT_INVENTORY_REFRESH_SECONDS + "}",
      description = "Least seconds between two ListStages sweeps of a region (default: ${DEFAULT-VALUE}).")
  long inventoryRefreshSeconds;

  @Option(names = "--participant-sample-rate",
      defaultValue = "${env:STAGEFLEET_PARTICIPANT_SAMPLE_RATE:-" + OperatorSettings.DEFAULT_PARTICIPANT_SAMPLE_RATE
          + "}",
      description = "IVS participant counts per second for the whole operator; 0 turns sampling off "
          + "(default: ${DEFAULT-VALUE}).")
  double participantSampleRate;

  @Option(names = "--resync-seconds",
      defaultValue = "${env:STAGEFLEET_RESYNC_SECONDS:-" + OperatorSettings.DEFAULT_RESYNC_SECONDS + "}",
      description = "Longest seconds between two looks at a broadcast when nothing is pending "
          + "(default: ${DEFAULT-VALUE}).")
  long resyncSeconds;

  @Override
  public Integer call() {
    OperatorSettings settings = settings();
    // the IVS clients are made on first use, after the runtime whose registry their per-attempt metrics go to
    AtomicReference<MeterRegistry> meters = new AtomicReference<>();
    Function<String, IvsService> ivs = ivsClients(settings.region(), meters::get);
    KubernetesClient client = kubernetesClient();
    try {
      // a missing or unreachable cluster is the first thing to fix, before anything about the Lease
      checkCluster(client, settings);
      if (settings.leaderElection() && settings.leaseNamespace() == null && client.getNamespace() == null) {
        throw new UserFacingException("leader election needs a namespace for its Lease, and the kubeconfig's "
            + "context names none: give --lease-namespace (or --leader-election=false for a single replica)");
      }
    } catch (UserFacingException e) {
      client.close();
      throw e;
    }
    OperatorRuntime runtime = new OperatorRuntime(settings, client, ivs, Clock.systemUTC());
    meters.set(runtime.meterRegistry());
    Thread shutdown = new Thread(runtime::close, "stagefleet-operator-shutdown");
    try {
      runtime.start();
    } catch (OperatorException | KubernetesClientException e) {
      runtime.close();
      client.close();
      throw new UserFacingException("the operator could not start: " + rootMessage(e));
    } catch (UncheckedIOException e) {
      client.close();
      throw new UserFacingException(e.getMessage());
    }
    Runtime.getRuntime().addShutdownHook(shutdown);
    spec.commandLine().getOut().printf("operator running (region %s, cluster id %s, namespaces %s, leader election %s,"
            + " health on port %d)  -  press Ctrl-C to stop%n", settings.region(), settings.clusterId(),
        settings.namespaces().isEmpty() ? "all" : String.join(",", settings.namespaces()),
        settings.leaderElection() ? "on" : "off", runtime.healthPort());
    spec.commandLine().getOut().flush();
    try {
      runtime.termination().get();
      return 0;
    } catch (ExecutionException e) {
      throw new UserFacingException(e.getCause().getMessage());
    } catch (InterruptedException e) {
      // stopped from within the JVM (tests, an embedding): stop first, then keep the interrupt
      Runtime.getRuntime().removeShutdownHook(shutdown);
      runtime.close();
      client.close();
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** The flags as the operator's settings; invalid values end the command with one line. */
  OperatorSettings settings() {
    Set<String> watched = new LinkedHashSet<>();
    if (namespaces != null) {
      Arrays.stream(namespaces).map(String::trim).filter(n -> !n.isEmpty()).forEach(watched::add);
    }
    for (String namespace : watched) {
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new UserFacingException("--namespaces: \"" + namespace + "\" is not a namespace name (lower-case "
            + "letters, digits and '-', at most 63)");
      }
    }
    if (region == null || !REGION.matcher(region.trim()).matches()) {
      throw new UserFacingException("--region must be an AWS region such as us-east-1, got \"" + region + "\"");
    }
    if (healthPort > 65535) {
      throw new UserFacingException("--health-port must be a port (0 to 65535, or -1 for none), got " + healthPort);
    }
    if (orphanGraceSeconds < 0 || inventoryRefreshSeconds < 1 || resyncSeconds < 1) {
      throw new UserFacingException("--orphan-grace-seconds must be 0 or more, --inventory-refresh-seconds and "
          + "--resync-seconds 1 or more");
    }
    try {
      return OperatorSettings.defaults()
          .withRegion(region.trim())
          .withClusterId(clusterId)
          .withNamespaces(watched)
          .withHealthPort(healthPort)
          .withLeaderElection(leaderElection, blankToNull(leaseNamespace))
          .withServerSideApply(serverSideApply)
          .withOrphanGracePeriod(Duration.ofSeconds(orphanGraceSeconds))
          .withInventoryRefreshInterval(Duration.ofSeconds(inventoryRefreshSeconds))
          .withParticipantSampleRate(participantSampleRate)
          .withResyncInterval(Duration.ofSeconds(resyncSeconds));
    } catch (IllegalArgumentException e) {
      throw new UserFacingException("invalid option: " + e.getMessage());
    }
  }

  /** One IVS client per region, sharing one set of rate limits (IVS counts the account's calls). */
  private Function<String, IvsService> ivsClients(String defaultRegion, Supplier<MeterRegistry> meters) {
    IvsRateLimits limits = new IvsRateLimits();
    Map<String, IvsService> clients = new ConcurrentHashMap<>();
    String endpoint = blankToNull(ivsEndpoint);
    if (endpoint == null) {
      return r -> clients.computeIfAbsent(r, x -> SdkIvsService.builder(x, limits)
          .meterRegistry(meters.get()).build());
    }
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw new UserFacingException("--ivs-endpoint is not a URI: " + e.getMessage());
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new UserFacingException("--ivs-endpoint must be an absolute URI such as http://127.0.0.1:4590, got "
          + endpoint);
    }
    return r -> r.equals(defaultRegion) ? clients.computeIfAbsent(r,
        x -> SdkIvsService.builder(x, limits).endpoint(uri).meterRegistry(meters.get()).build())
        : null;
  }

  private KubernetesClient kubernetesClient() {
    if (kubeconfig == null) {
      return new KubernetesClientBuilder().build();
    }
    if (!kubeconfig.isFile()) {
      throw new UserFacingException("--kubeconfig " + kubeconfig + " is not a readable file");
    }
    try {
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
    } catch (RuntimeException e) {
      throw new UserFacingException("--kubeconfig " + kubeconfig + " is not a usable kubeconfig: "
          + firstLine(rootMessage(e)));
    }
  }

  /**
   * Lists one LiveBroadcast before starting, so the usual mistakes (no cluster at that address, the CRD not
   * installed, no permission) end the command with one line instead of informer stack traces a minute later.
   * It retries briefly only: the operator's own client keeps its patient retries for the running operator.
   */
  static void checkCluster(KubernetesClient client, OperatorSettings settings) {
    Config quick = new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(2)
        .withConnectionTimeout(5_000).withRequestTimeout(10_000).build();
    String server = client.getConfiguration().getMasterUrl();
    String namespace = settings.namespaces().stream().sorted().findFirst().orElse(null);
    ListOptions one = new ListOptionsBuilder().withLimit(1L).build();
    try (KubernetesClient check = new KubernetesClientBuilder().withConfig(quick).build()) {
      var broadcasts = check.resources(LiveBroadcast.class);
      if (namespace == null) {
        broadcasts.inAnyNamespace().list(one);
      } else {
        broadcasts.inNamespace(namespace).list(one);
      }
    } catch (KubernetesClientException e) {
      String where = namespace == null ? "in all namespaces" : "in namespace " + namespace;
      if (e.getCode() <= 0) {
        throw new UserFacingException("cannot reach the Kubernetes API server at " + server + ": "
            + firstLine(connectionFailure(e)));
      }
      throw new UserFacingException(switch (e.getCode()) {
        case 404 -> "the LiveBroadcast CRD is not installed in the cluster at " + server
            + " (install it with: stagefleet crd | kubectl apply -f -)";
        case 401 -> "the Kubernetes API server at " + server + " did not accept the credentials (HTTP 401)";
        case 403 -> "not allowed to list LiveBroadcasts " + where + " at " + server + " (HTTP 403): "
            + firstLine(e.getStatus() == null ? rootMessage(e) : e.getStatus().getMessage());
        default -> "the Kubernetes API server at " + server + " failed to list LiveBroadcasts (HTTP " + e.getCode()
            + "): " + firstLine(rootMessage(e));
      });
    }
  }

  /** What went wrong on the way to the API server, in words (the causes often carry no message of their own). */
  private static String connectionFailure(Throwable e) {
    String message = null;
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof java.net.UnknownHostException) {
        return "unknown host " + t.getMessage();
      } else if (t instanceof java.net.ConnectException) {
        return "connection refused";
      } else if (t instanceof java.net.http.HttpTimeoutException || t instanceof java.net.SocketTimeoutException) {
        return "no answer in time";
      } else if (t instanceof javax.net.ssl.SSLException) {
        return "TLS failed: " + t.getMessage();
      }
      if (message == null && t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message != null ? message : rootMessage(e);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.strip().lines().findFirst().orElse("");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
