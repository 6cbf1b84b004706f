package dev.stagefleet.bench;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 4: the operator's footprint with many LiveBroadcasts. The operator runs alone in a child JVM
 * ({@link OperatorProcess}), so its resident memory is its own; the API server and the emulator stay in this one.
 * Figures: resident set and heap after GC, against the same operator with no broadcast (same run); convergence of N
 * new broadcasts against the time IVS's 5/s CreateStage quota needs; and the reconcile throughput of a restarted
 * operator walking all N broadcasts, against this process's own rate of writing their status.
 */
public final class FootprintBench {

  /**
   * Sizes of a run.
   *
   * @param broadcasts LiveBroadcasts (one stage each)
   * @param heap       the operator JVM's maximum heap ({@code -Xmx}), as a container would set it
   */
  public record Settings(int broadcasts, String heap) {
    public Settings {
      if (broadcasts < 1) {
        throw new IllegalArgumentException("broadcasts must be at least 1");
      }
      if (!heap.matches("[0-9]+[kmgKMG]?")) {
        throw new IllegalArgumentException("heap must look like 512m, got " + heap);
      }
    }
  }

  private static final double CREATE_STAGE_QUOTA = 5.0;

  private FootprintBench() {
  }

  public static BenchReport run(Settings settings, PrintStream progress) {
    int n = settings.broadcasts();
    BenchReport report = new BenchReport("4. operator footprint", Instant.now())
        .parameter("broadcasts", n).parameter("operatorHeap", settings.heap());
    try (BenchStack stack = BenchStack.start()) {
      if (n + 10 > stack.emulator().quotas().stages()) {
        stack.emulator().quotas().stages(n + 10);
      }
      Broadcasts broadcasts = new Broadcasts(stack.client(), BenchStack.NAMESPACE);
      Measure empty;
      Measure converged;
      double convergeSeconds;
      try (OperatorChild operator = OperatorChild.start(stack, settings.heap())) {
        empty = operator.measure();
        progress.printf(Locale.ROOT, "operator with no broadcast: %s%n", empty);
        long start = System.nanoTime();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String name = String.format(Locale.ROOT, "fp-%05d", i);
          broadcasts.create(name, 50, 1, 2, 0.8);
          names.add(name);
        }
        long[] lastPrint = {System.nanoTime()};
        long done = Waits.until(Duration.ofSeconds(120 + Math.round(3 * n / CREATE_STAGE_QUOTA)),
            Duration.ofSeconds(1), n + " broadcasts live with one stage each", () -> {
              long live = broadcasts.list().stream().filter(b -> Broadcasts.activeStages(b) == 1).count();
              if (System.nanoTime() - lastPrint[0] > 15_000_000_000L) {
                progress.printf(Locale.ROOT, "converging: %d of %d broadcasts live%n", live, n);
                lastPrint[0] = System.nanoTime();
              }
              return live == n;
            });
        convergeSeconds = (done - start) / 1e9;
        converged = operator.measure();
        progress.printf(Locale.ROOT, "operator with %d broadcasts: %s%n", n, converged);
      }
      double floor = n / CREATE_STAGE_QUOTA;
      long reconcilesToConverge = converged.reconciles() - empty.reconciles();
      report.figure("resident set, no broadcast", empty.rssKiB() / 1024.0, "MiB", "VmRSS after full GC");
      report.figure("resident set, " + n + " broadcasts", converged.rssKiB() / 1024.0, "MiB", "VmRSS after full GC");
      report.figure("resident set ratio (" + n + " / none)", (double) converged.rssKiB() / empty.rssKiB(), "ratio", "");
      report.figure("heap used after GC, no broadcast", empty.heapUsed() / 1048576.0, "MiB", "");
      report.figure("heap used after GC, " + n + " broadcasts", converged.heapUsed() / 1048576.0, "MiB", "");
      report.figure("heap per broadcast", (converged.heapUsed() - empty.heapUsed()) / 1024.0 / n, "KiB",
          "(heap with N - heap with none) / N");
      report.figure("threads, " + n + " broadcasts", converged.threads(), "threads",
          "no broadcast: " + empty.threads());
      report.figure("convergence of " + n + " new broadcasts", convergeSeconds, "s", reconcilesToConverge
          + " reconciles");
      report.figure("convergence / IVS CreateStage floor", convergeSeconds / floor, "ratio",
          String.format(Locale.ROOT, "floor %.0f s = %d stages at 5/s", floor, n));
      report.figure("reconciles/s while converging", reconcilesToConverge / convergeSeconds, "1/s", "");

      // yardstick for the walk below: how fast this process writes the broadcasts' status itself
      Map<String, String> phases = new HashMap<>();
      for (LiveBroadcast broadcast : broadcasts.list()) {
        phases.put(broadcast.getMetadata().getName(), Broadcasts.status(broadcast).getPhase());
      }
      long writeStart = System.nanoTime();
      for (Map.Entry<String, String> phase : phases.entrySet()) {
        stack.client().resources(LiveBroadcast.class).inNamespace(BenchStack.NAMESPACE).withName(phase.getKey())
            .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"phase\":\"" + phase.getValue() + "\"}}");
      }
      double writesPerSecond = phases.size() / ((System.nanoTime() - writeStart) / 1e9);

      try (OperatorChild restarted = OperatorChild.start(stack, settings.heap())) {
        long ready = System.nanoTime();
        long before = restarted.count();
        long walked = Waits.until(Duration.ofSeconds(60 + n / 5), Duration.ofMillis(100),
            "a restarted operator reconciling all " + n + " broadcasts", () -> restarted.count() - before >= n);
        double walkSeconds = (walked - ready) / 1e9;
        Measure after = restarted.measure();
        progress.printf(Locale.ROOT, "restarted operator walked %d broadcasts in %.2f s: %s%n", n, walkSeconds, after);
        double rate = n / walkSeconds;
        report.figure("restart: reconciles/s walking " + n + " broadcasts", rate, "1/s",
            String.format(Locale.ROOT, "%d in %.2f s from start", n, walkSeconds));
        report.figure("status merge patches/s by the bench itself", writesPerSecond, "1/s",
            "sequential, same API server (yardstick)");
        report.figure("restart reconciles / bench status writes", rate / writesPerSecond, "ratio", "");
        report.figure("resident set after restart, " + n + " broadcasts", after.rssKiB() / 1024.0, "MiB", "");
      }
    }
    return report;
  }

  /** One measurement reported by the operator process. */
  record Measure(long rssKiB, long heapUsed, long nonHeapUsed, int threads, long reconciles) {
    static Measure parse(String line) {
      Map<String, Long> values = new HashMap<>();
      for (String part : line.split(" ")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          values.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
        }
      }
      return new Measure(values.get("rssKiB"), values.get("heapUsed"), values.get("nonHeapUsed"),
          values.get("threads").intValue(), values.get("reconciles"));
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "RSS %.0f MiB, heap %.1f MiB, %d threads, %d reconciles", rssKiB / 1024.0,
          heapUsed / 1048576.0, threads, reconciles);
    }
  }

  /** The operator process: started with this JVM's class path, spoken to over its standard input and output. */
  static final class OperatorChild implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final BufferedWriter in;
    private final Path log;

    private OperatorChild(Process process, Path log) {
      this.process = process;
      this.log = log;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    }

    static OperatorChild start(BenchStack stack, String heap) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      try {
        Path log = Files.createTempFile("stagefleet-bench-operator", ".log");
        Process process = new ProcessBuilder(java, "-Xmx" + heap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp", System.getProperty("java.class.path"), OperatorProcess.class.getName(), stack.api().url(),
            stack.emulator().endpoint().toString(), stack.emulator().region())
            .redirectError(log.toFile()).start();
        OperatorChild child = new OperatorChild(process, log);
        child.expect("READY", Duration.ofSeconds(60));
        return child;
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the operator process: " + e.getMessage(), e);
      }
    }

    Measure measure() {
      return Measure.parse(ask("MEASURE", "MEASURE "));
    }

    long count() {
      String line = ask("COUNT", "COUNT ");
      return Long.parseLong(line.substring(line.indexOf('=') + 1));
    }

    private synchronized String ask(String command, String answerPrefix) {
      try {
        in.write(command);
        in.newLine();
        in.flush();
      } catch (IOException e) {
        throw new IllegalStateException("the operator process is gone: " + e.getMessage() + tail());
      }
      return expect(answerPrefix, Duration.ofSeconds(60));
    }

    private String expect(String prefix, Duration timeout) {
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        try {
          String read;
          while ((read = out.readLine()) != null) {
            if (read.startsWith(prefix)) {
              return read;
            }
          }
          return null;
        } catch (IOException e) {
          return null;
        }
      });
      try {
        String read = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (read == null) {
          throw new IllegalStateException("the operator process ended" + tail());
        }
        return read;
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("the operator process did not answer " + prefix.strip() + " in time" + tail());
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("reading from the operator process failed" + tail(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
    }

    private String tail() {
      try {
        List<String> lines = Files.readAllLines(log);
        return lines.isEmpty() ? "" : "; its log ends: " + String.join(" | ",
            lines.subList(Math.max(0, lines.size() - 5), lines.size()));
      } catch (IOException e) {
        return "";
      }
    }

    @Override
    public void close() {
      try {
        in.write("EXIT");
        in.newLine();
        in.flush();
      } catch (IOException e) {
        // already gone
      }
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroy();
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
          }
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      File file = log.toFile();
      if (!file.delete()) {
        file.deleteOnExit();
      }
    }
  }
}
