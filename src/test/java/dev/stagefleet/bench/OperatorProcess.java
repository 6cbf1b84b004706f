package dev.stagefleet.bench;

import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import dev.stagefleet.operator.OperatorRuntime;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;

/**
 * The operator alone in its own JVM, for the footprint benchmark: started by {@link FootprintBench} with the API
 * server's URL, the emulator's endpoint and region, it answers commands on standard input, one a line:
 * {@code MEASURE} (after a full GC: resident set, heap used, threads, reconciles), {@code COUNT} (reconciles so far)
 * and {@code EXIT}. It prints {@code READY} once the operator runs.
 */
public final class OperatorProcess {
  private OperatorProcess() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: OperatorProcess API_URL IVS_ENDPOINT REGION");
      System.exit(2);
    }
    Config config = Config.empty();
    config.setMasterUrl(args[0]);
    config.setNamespace(BenchStack.NAMESPACE);
    config.setHttp2Disable(true);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        SdkIvsService ivs = SdkIvsService.builder(args[2], new IvsRateLimits()).endpoint(URI.create(args[1]))
            .meterRegistry(new SimpleMeterRegistry()).build();
        OperatorRuntime operator = new OperatorRuntime(BenchStack.operatorSettings(args[2]), client, ivs,
            Clock.systemUTC()).start()) {
      System.out.println("READY");
      System.out.flush();
      BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String command;
      while ((command = commands.readLine()) != null && !command.equals("EXIT")) {
        switch (command) {
          case "MEASURE" -> System.out.println(measure(operator.meterRegistry()));
          case "COUNT" -> System.out.println("COUNT reconciles=" + reconciles(operator.meterRegistry()));
          default -> System.out.println("ERROR unknown command " + command);
        }
        System.out.flush();
      }
    }
    System.exit(0);
  }

  private static String measure(MeterRegistry registry) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long nonHeapUsed = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed();
    return String.format(Locale.ROOT, "MEASURE rssKiB=%d heapUsed=%d nonHeapUsed=%d threads=%d reconciles=%d",
        residentKiB(), heapUsed, nonHeapUsed, ManagementFactory.getThreadMXBean().getThreadCount(),
        reconciles(registry));
  }

  /** Reconciles finished (successfully or not), from java-operator-sdk's metrics. */
  static long reconciles(MeterRegistry registry) {
    double total = 0;
    for (String name : new String[] {"operator.sdk.reconciliations.success", "operator.sdk.reconciliations.failed"}) {
      total += registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }
    return Math.round(total);
  }

  /** VmRSS from /proc/self/status, in KiB; -1 where there is no /proc. */
  static long residentKiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }
}
