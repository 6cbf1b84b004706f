package dev.stagefleet.cli;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.IvsService;
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
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the operator (reconciles LiveBroadcasts into IVS stages) until SIGTERM. */
@Command(name = "operator", mixinStandardHelpOptions = true, defaultValueProvider = EnvironmentDefaults.class,
    description = {"Runs the operator: reconciles LiveBroadcasts into IVS real-time stages.",
        "Serves /healthz, /readyz and Prometheus /metrics on --health-port.",
        "Every option can also be set as an environment variable STAGEFLEET_<OPTION> (e.g. STAGEFLEET_CLUSTER_ID)."})
public final class OperatorCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  KubernetesOptions kubernetes;

  @Mixin
  OperatorOptions options;

  @Override
  public Integer call() {
    OperatorSettings settings = settings();
    // the IVS clients are made on first use, after the runtime whose registry their per-attempt metrics go to
    AtomicReference<MeterRegistry> meters = new AtomicReference<>();
    Function<String, IvsService> ivs = ivsClients(settings.region(), meters::get);
    KubernetesClient client = kubernetes.client();
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
      throw new UserFacingException("the operator could not start: " + Messages.rootMessage(e));
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
    try {
      return options.toSettings();
    } catch (IllegalArgumentException e) {
      throw Messages.invalidSetting(spec, e);
    }
  }

  /** One IVS client per region, sharing one set of rate limits (IVS counts the account's calls). */
  private Function<String, IvsService> ivsClients(String defaultRegion, Supplier<MeterRegistry> meters) {
    IvsRateLimits limits = new IvsRateLimits();
    Map<String, IvsService> clients = new ConcurrentHashMap<>();
    // the endpoint override (an emulator) serves one region only
    boolean oneRegion = options.ivs.endpoint() != null;
    return r -> oneRegion && !r.equals(defaultRegion) ? null
        : clients.computeIfAbsent(r, x -> options.ivs.client(x, limits, meters.get()));
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
            + Messages.firstLine(connectionFailure(e)));
      }
      throw new UserFacingException(switch (e.getCode()) {
        case 404 -> "the LiveBroadcast CRD is not installed in the cluster at " + server
            + " (install it with: stagefleet crd | kubectl apply -f -)";
        case 401 -> "the Kubernetes API server at " + server + " did not accept the credentials (HTTP 401)";
        case 403 -> "not allowed to list LiveBroadcasts " + where + " at " + server + " (HTTP 403): "
            + Messages.firstLine(e.getStatus() == null ? Messages.rootMessage(e) : e.getStatus().getMessage());
        default -> "the Kubernetes API server at " + server + " failed to list LiveBroadcasts (HTTP " + e.getCode()
            + "): " + Messages.firstLine(Messages.rootMessage(e));
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
    return message != null ? message : Messages.rootMessage(e);
  }
}
