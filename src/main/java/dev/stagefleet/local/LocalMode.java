package dev.stagefleet.local;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.gateway.SigningKeySecret;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import dev.stagefleet.operator.OperatorRuntime;
import dev.stagefleet.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * StageFleet on one machine: the embedded Kubernetes API server, the IVS emulator, the operator and the gateway in one
 * process, with the example LiveBroadcast applied and (optionally) a simulated audience.
 */
public final class LocalMode implements AutoCloseable {
  public static final String NAMESPACE = "default";
  public static final String SAMPLE_NAME = "launch-party";
  static final String KEY_SECRET = "stagefleet-token-key";
  /** The example local mode applies, as a resource of the jar (pom.xml copies deploy/examples there). */
  public static final String SAMPLE = "/examples/minimal.yaml";

  private final LocalSettings settings;
  private final Clock clock;
  private final PrintStream out;
  private EmbeddedApiServer api;
  private KubernetesClient client;
  private IvsEmulator emulator;
  private SdkIvsService ivs;
  private OperatorRuntime operator;
  private GatewayServer gateway;
  private AudienceSimulator audience;
  private SharedIndexInformer<LiveBroadcast> statusPrinter;
  private String apiKey;

  public LocalMode(LocalSettings settings, Clock clock, PrintStream out) {
    this.settings = settings;
    this.clock = clock;
    this.out = out;
  }

  /** Starts every part; on failure, stops what already runs and rethrows. */
  public LocalMode start() {
    try {
      startParts();
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void startParts() {
    Path webRoot = settings.webRoot();
    if (webRoot != null && !Files.isDirectory(webRoot)) {
      throw new IllegalArgumentException("the page bundle " + webRoot + " does not exist (--web-root)");
    }
    // the ready file is written last; a path that cannot be written must fail before any part runs, and a file left
    // by an earlier run must not tell a waiting script that this one is ready
    LocalFiles.ensureWritable(settings.readyFile(), "the ready file");
    LocalFiles.remove(settings.readyFile(), "the old ready file");
    for (int port : new int[] {settings.ivsPort(), settings.gatewayPort()}) {
      Ports.ensureFree(port);
    }
    api = EmbeddedApiServer.start(settings.apiPort(), clock);
    client = api.newClient();
    emulator = IvsEmulator.start(EmulatorSettings.builder().host("127.0.0.1").port(settings.ivsPort()).build());
    ivs = SdkIvsService.forEndpoint(emulator.endpoint(), emulator.region(), new IvsRateLimits());
    writeKubeconfig();
    if (settings.runs("operator")) {
      operator = new OperatorRuntime(OperatorSettings.builder().region(emulator.region())
          .clusterId("local").healthPort(0).leaderElection(false).leaseNamespace(NAMESPACE)
          .serverSideApply(false).inventoryRefreshInterval(Duration.ofSeconds(2))
          .resyncInterval(Duration.ofSeconds(5)).orphanGracePeriod(Duration.ofSeconds(30)).build(),
          client, ivs, clock).start();
    }
    if (settings.runs("gateway")) {
      Secret key = SigningKeySecret.create(ivs, "stagefleet-local", KEY_SECRET, NAMESPACE);
      client.resource(key).create();
      gateway = new GatewayServer(GatewaySettings.builder().host("127.0.0.1")
          .port(settings.gatewayPort()).metricsPort(0).replicaId("local").keySecret(NAMESPACE + "/" + KEY_SECRET)
          .corsOrigins(List.of("*")).webRoot(webRoot)
          // the simulated audience joins from one address
          .viewerJoinsPerSecondPerIp(10_000).build(), client, ivs, clock).relayLocalMedia().start();
    }
    if (settings.sample()) {
      apiKey = SampleBroadcast.apply(client, SAMPLE, NAMESPACE);
    }
    writeReadyFile();
    statusPrinter = client.resources(LiveBroadcast.class).inAnyNamespace().inform(new StatusLines(out, clock), 0);
    if (settings.audience() > 0 && settings.sample() && gateway != null) {
      audience = new AudienceSimulator(new AudienceSimulator.Settings(gatewayUrl(), NAMESPACE, SAMPLE_NAME,
          settings.audience(), settings.ramp(), settings.churn()), emulator);
      audience.start();
    }
  }

  private void writeKubeconfig() {
    try {
      api.writeKubeconfig(settings.kubeconfig());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write the kubeconfig " + settings.kubeconfig() + ": "
          + LocalFiles.reason(e));
    }
  }

  /** Tells a waiting script where everything is, once it all runs. */
  private void writeReadyFile() {
    if (settings.readyFile() == null) {
      return;
    }
    Map<String, Object> ready = new LinkedHashMap<>();
    ready.put("apiServer", api.url());
    ready.put("gateway", gateway == null ? null : gatewayUrl().toString());
    ready.put("ivsEndpoint", emulator.endpoint().toString());
    ready.put("kubeconfig", settings.kubeconfig().toAbsolutePath().toString());
    ready.put("namespace", NAMESPACE);
    ready.put("name", settings.sample() ? SAMPLE_NAME : null);
    ready.put("apiKey", apiKey);
    LocalFiles.writeJson(settings.readyFile(), ready, "the ready file");
  }

  /** The kubeconfig names an API server that is gone once this stops: leave no stale file behind. */
  private void removeKubeconfig() {
    try {
      Files.deleteIfExists(settings.kubeconfig());
    } catch (IOException e) {
      out.println("could not remove the kubeconfig " + settings.kubeconfig().toAbsolutePath() + ": "
          + LocalFiles.reason(e));
    }
  }

  /** What a newcomer needs to start: the pages, the API key and how to point kubectl here. */
  public void printWelcome() {
    out.println();
    out.println("StageFleet is running locally.");
    out.println("  Kubernetes API   " + api.url());
    out.println("  IVS emulator     " + emulator.endpoint());
    if (gateway != null) {
      String query = settings.sample() ? "?namespace=" + NAMESPACE + "&name=" + SAMPLE_NAME : "";
      out.println("  broadcaster page " + gatewayUrl() + "/broadcaster/" + query);
      out.println("  viewer page      " + gatewayUrl() + "/viewer/" + query);
    }
    if (apiKey != null) {
      out.println("  API key          " + apiKey + "   (LiveBroadcast " + NAMESPACE + "/" + SAMPLE_NAME + ")");
    }
    if (operator == null) {
      out.println("  operator         not started; run it with: stagefleet operator --kubeconfig "
          + settings.kubeconfig().toAbsolutePath() + " --ivs-endpoint " + emulator.endpoint()
          + " --server-side-apply=false --leader-election=false --cluster-id local");
    }
    if (gateway == null) {
      out.println("  gateway          not started; run it with: stagefleet gateway --kubeconfig "
          + settings.kubeconfig().toAbsolutePath() + " --ivs-endpoint " + emulator.endpoint()
          + " --token-mode api");
    }
    if (audience != null) {
      out.println("  audience         " + settings.audience() + " simulated viewers joining over "
          + settings.ramp().toSeconds() + " s" + (settings.churn() ? ", leaving and coming back" : ""));
    }
    out.println();
    out.println("  export KUBECONFIG=" + settings.kubeconfig().toAbsolutePath() + "   (removed when this stops)");
    out.println("  kubectl get lbc -w     (kubectl works here without flags: README, kubectl compatibility)");
    out.println();
    out.println("Press Ctrl-C to stop; the stages are deleted on the way out.");
    out.println();
  }

  /** Lets every simulated viewer leave now. */
  public void stopAudience() {
    if (audience != null) {
      audience.close();
    }
  }

  public URI gatewayUrl() {
    return URI.create("http://127.0.0.1:" + gateway.port());
  }

  public EmbeddedApiServer apiServer() {
    return api;
  }

  public KubernetesClient client() {
    return client;
  }

  public IvsEmulator emulator() {
    return emulator;
  }

  public String apiKey() {
    return apiKey;
  }

  /**
   * Stops everything. With the operator running, LiveBroadcasts are deleted first so their stages go too (the
   * finalizer deletes them); without it, stages stay in the emulator, which stops anyway.
   */
  @Override
  public void close() {
    if (audience != null) {
      audience.close();
    }
    if (statusPrinter != null) {
      statusPrinter.close();
    }
    if (operator != null && client != null) {
      deleteBroadcastsAndWait(Duration.ofSeconds(20));
      out.println("stopped: " + emulator.stages().size() + " stages left in the IVS emulator");
    }
    closeQuietly(gateway);
    closeQuietly(operator);
    closeQuietly(ivs);
    closeQuietly(emulator);
    closeQuietly(client);
    closeQuietly(api);
    LocalFiles.remove(settings.readyFile(), "the old ready file");
    removeKubeconfig();
  }

  private void deleteBroadcastsAndWait(Duration timeout) {
    try {
      client.resources(LiveBroadcast.class).inAnyNamespace().delete();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline
          && !(client.resources(LiveBroadcast.class).inAnyNamespace().list().getItems().isEmpty()
          && emulator.stages().isEmpty())) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      out.println("stagefleet: could not delete the LiveBroadcasts on the way out: " + e.getMessage());
    }
  }

  private static void closeQuietly(AutoCloseable part) {
    if (part == null) {
      return;
    }
    try {
      part.close();
    } catch (Exception e) {
      // shutting down: a part that fails to close must not keep the others running
    }
  }

}
