package dev.stagefleet.cli;

import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.local.LocalMode;
import dev.stagefleet.local.LocalSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs StageFleet on one machine, on its embedded defaults. */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs everything on one machine: an embedded Kubernetes API server (kubectl works against it), the "
        + "IVS emulator, the operator and the gateway, with an example LiveBroadcast.",
        "Every option can also be set with the environment variable in brackets."})
public final class LocalCommand implements Callable<Integer> {

  @Option(names = "--api-port", defaultValue = "${env:STAGEFLEET_API_PORT:-" + LocalSettings.DEFAULT_API_PORT + "}",
      description = "Port of the embedded Kubernetes API server, 0 = any free port (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_API_PORT].")
  int apiPort;

  @Option(names = "--gateway-port",
      defaultValue = "${env:STAGEFLEET_GATEWAY_PORT:-" + LocalSettings.DEFAULT_GATEWAY_PORT + "}",
      description = "Port of the gateway and the web pages, 0 = any free port (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_GATEWAY_PORT].")
  int gatewayPort;

  @Option(names = "--ivs-port", defaultValue = "${env:STAGEFLEET_IVS_PORT:-" + LocalSettings.DEFAULT_IVS_PORT + "}",
      description = "Port of the IVS emulator, 0 = any free port (default ${DEFAULT-VALUE}) [STAGEFLEET_IVS_PORT].")
  int ivsPort;

  @Option(names = "--kubeconfig", defaultValue = "${env:STAGEFLEET_LOCAL_KUBECONFIG:-kubeconfig-local.yaml}",
      description = "Where to write the kubeconfig for kubectl, removed again on exit (default ${DEFAULT-VALUE}, in "
          + "the working directory) [STAGEFLEET_LOCAL_KUBECONFIG].")
  Path kubeconfig;

  @Option(names = "--ready-file", defaultValue = "${env:STAGEFLEET_READY_FILE}",
      description = "Write a JSON file with the URLs and the API key once everything runs (for scripts) "
          + "[STAGEFLEET_READY_FILE].")
  Path readyFile;

  @Option(names = "--no-sample", negatable = false,
      description = "Start without the example LiveBroadcast and its API-key Secret.")
  boolean noSample;

  @Option(names = "--without", split = ",", paramLabel = "PART",
      description = "Leave out a part (operator, gateway), to run it as its own process against the same API server "
          + "and emulator.")
  List<String> without = List.of();

  @Option(names = "--audience", defaultValue = "${env:STAGEFLEET_AUDIENCE:-0}",
      description = "Simulated viewers joining the example broadcast (default ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_AUDIENCE].")
  int audience;

  @Option(names = "--ramp", defaultValue = "${env:STAGEFLEET_RAMP:-30}",
      description = "Seconds the simulated audience takes to join (default ${DEFAULT-VALUE}) [STAGEFLEET_RAMP].")
  int rampSeconds;

  @Option(names = "--churn", negatable = false,
      description = "Simulated viewers leave and come back, so scaling down can be watched too.")
  boolean churn;

  @Option(names = "--web-root", defaultValue = "${env:STAGEFLEET_WEB_ROOT}",
      description = "Directory of the web pages (default: web-frontend/src) [STAGEFLEET_WEB_ROOT].")
  Path webRoot;

  @Override
  public Integer call() throws Exception {
    quietLogs();
    LocalSettings settings = settings();
    LocalMode local = new LocalMode(settings, Clock.systemUTC(), System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    try {
      local.start();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UserFacingException(e.getMessage());
    }
    Thread shutdown = new Thread(() -> {
      System.out.println("stopping: deleting the stages, then the parts ...");
      local.close();
      stopped.countDown();
    }, "local-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    local.printWelcome();
    stopped.await();
    return 0;
  }

  /** Local mode talks through its status lines; the parts' request logs would drown them. */
  private static void quietLogs() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
        "error");
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    QUIET.add(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));
  }

  /** Strong references, so the JUL loggers keep their level (JUL holds loggers weakly). */
  private static final List<java.util.logging.Logger> QUIET = new java.util.ArrayList<>();

  /** Where the default page bundle is looked for: the working directory (tests point it elsewhere). */
  Path workingDirectory = Path.of("");

  LocalSettings settings() {
    for (int port : new int[] {apiPort, gatewayPort, ivsPort}) {
      if (port < 0 || port > 65535) {
        throw new UserFacingException("ports must be between 0 and 65535, but one is " + port);
      }
    }
    Set<String> parts = new LinkedHashSet<>();
    for (String part : without) {
      String p = part.trim().toLowerCase();
      if (!p.equals("operator") && !p.equals("gateway")) {
        throw new UserFacingException("--without takes operator or gateway, not \"" + part + "\"");
      }
      parts.add(p);
    }
    if (audience < 0 || rampSeconds < 1) {
      throw new UserFacingException("--audience must be 0 or more and --ramp at least 1 second");
    }
    if (audience > 0 && (noSample || parts.contains("gateway"))) {
      throw new UserFacingException("--audience needs the example broadcast and the gateway");
    }
    Path pages = webRoot;
    if (!parts.contains("gateway")) {
      pages = webRoot != null ? webRoot : workingDirectory.resolve(GatewaySettings.DEFAULT_WEB_ROOT);
      if (!Files.isRegularFile(pages.resolve("broadcaster").resolve("index.html"))) {
        throw new UserFacingException(webRoot != null
            ? "--web-root " + webRoot + " holds no web pages (broadcaster/index.html is missing)"
            : "the web pages are not in ./" + GatewaySettings.DEFAULT_WEB_ROOT + "; run stagefleet local from the "
                + "repository root, or pass --web-root DIR");
      }
    }
    return new LocalSettings(apiPort, gatewayPort, ivsPort, kubeconfig, readyFile, !noSample, parts, audience,
        Duration.ofSeconds(rampSeconds), churn, pages);
  }
}
