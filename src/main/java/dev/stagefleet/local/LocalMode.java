package dev.stagefleet.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.gateway.SigningKeySecret;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import dev.stagefleet.operator.OperatorRuntime;
import dev.stagefleet.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

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
    ensureWritable(settings.readyFile(), "the ready file");
    removeReadyFile();
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
      applySample();
    }
    writeReadyFile();
    statusPrinter = client.resources(LiveBroadcast.class).inAnyNamespace().inform(new StatusLines(), 0);
    if (settings.audience() > 0 && settings.sample() && gateway != null) {
      audience = new AudienceSimulator(new AudienceSimulator.Settings(gatewayUrl(), NAMESPACE, SAMPLE_NAME,
          settings.audience(), settings.ramp(), settings.churn()), emulator);
      audience.start();
    }
  }

  /** The example LiveBroadcast with a fresh API key and windows short enough to watch scaling down. */
  private void applySample() {
    apiKey = randomKey();
    List<HasMetadata> objects;
    try (InputStream in = LocalMode.class.getResourceAsStream(SAMPLE)) {
      if (in == null) {
        throw new IllegalStateException("the example " + SAMPLE + " is missing from the jar; rebuild with mvn package");
      }
      objects = client.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (HasMetadata object : objects) {
      object.getMetadata().setNamespace(NAMESPACE);
      if (object instanceof LiveBroadcast lb) {
        lb.getSpec().getScaling().setScaleDownStabilizationSeconds(30);
        lb.getSpec().getScaling().setDrainTimeoutSeconds(60);
        // the examples ship no key: local mode makes the Secret the broadcast references, holding the printed key
        var ref = lb.getSpec().getBroadcaster().getApiKeySecretRef();
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
            .withNewMetadata().withName(ref.getName()).withNamespace(NAMESPACE)
            .addToLabels(dev.stagefleet.gateway.BroadcastDirectory.READABLE_LABEL, "true").endMetadata()
            .withStringData(Map.of(ref.getKey() == null ? "apiKey" : ref.getKey(), apiKey)).build()).create();
      }
      client.resource(object).create();
    }
  }

  private static String randomKey() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void writeKubeconfig() {
    try {
      api.writeKubeconfig(settings.kubeconfig());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write the kubeconfig " + settings.kubeconfig() + ": " + reason(e));
    }
  }

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
    try {
      Files.writeString(temporary(settings.readyFile()), new ObjectMapper().writeValueAsString(ready));
      Files.move(temporary(settings.readyFile()), settings.readyFile(),
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write the ready file " + settings.readyFile() + ": " + reason(e));
    }
  }

  /** Creates the file's directory and checks a file can be written there, leaving nothing behind. */
  private static void ensureWritable(Path file, String what) {
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("cannot write " + what + " " + file + ": it is a directory");
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.deleteIfExists(Files.writeString(temporary(file), ""));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + what + " " + file + ": " + reason(e));
    }
  }

  /** The kubeconfig names an API server that is gone once this stops: leave no stale file behind. */
  private void removeKubeconfig() {
    try {
      Files.deleteIfExists(settings.kubeconfig());
    } catch (IOException e) {
      out.println("could not remove the kubeconfig " + settings.kubeconfig().toAbsolutePath() + ": " + reason(e));
    }
  }

  private void removeReadyFile() {
    if (settings.readyFile() == null) {
      return;
    }
    try {
      Files.deleteIfExists(settings.readyFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot remove the old ready file " + settings.readyFile() + ": " + reason(e));
    }
  }

  private static Path temporary(Path file) {
    return file.resolveSibling(file.getFileName() + ".tmp");
  }

  private static String reason(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage();
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
    out.println("  kubectl get lbc        (kubectl apply needs --validate=false here)");
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
    removeReadyFile();
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

  /** Prints one line whenever a broadcast's stages, viewers or phase change. */
  private final class StatusLines implements ResourceEventHandler<LiveBroadcast> {
    private final Map<String, String> last = new ConcurrentHashMap<>();

    @Override
    public void onAdd(LiveBroadcast lb) {
      print(lb);
    }

    @Override
    public void onUpdate(LiveBroadcast old, LiveBroadcast lb) {
      print(lb);
    }

    @Override
    public void onDelete(LiveBroadcast lb, boolean unknownFinalState) {
      String key = lb.getMetadata().getNamespace() + "/" + lb.getMetadata().getName();
      last.remove(key);
      out.println(TIME.format(LocalTime.now(clock)) + "  " + key + "  deleted");
    }

    private void print(LiveBroadcast lb) {
      LiveBroadcastStatus status = lb.getStatus();
      String key = lb.getMetadata().getNamespace() + "/" + lb.getMetadata().getName();
      String line;
      if (status == null) {
        line = "phase=Pending";
      } else {
        long draining = status.stagesOrEmpty().stream().filter(s -> !s.isActive()).count();
        line = "phase=" + status.getPhase() + "  stages=" + status.getReadyStages() + " active"
            + (draining > 0 ? " + " + draining + " draining" : "") + " (desired " + status.getDesiredStages()
            + ")  viewers=" + status.getViewers()
            + "  waiting=" + (status.getWaiting() == null ? 0 : status.getWaiting());
      }
      if (!line.equals(last.put(key, line))) {
        out.println(TIME.format(LocalTime.now(clock)) + "  " + key + "  " + line);
      }
    }
  }
}
