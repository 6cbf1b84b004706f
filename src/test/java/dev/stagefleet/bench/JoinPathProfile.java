package dev.stagefleet.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR profile of the gateway's request threads while a load runs: where a join's CPU goes, by component.
 *
 * <p>Each execution sample of a Jetty request thread is charged to the component of the innermost frame that belongs
 * to a known component (so the JDK's own frames count for whoever called them: a {@code HashMap.get} under Jackson is
 * JSON). Native code (AWS-LC's signing) shows as JFR's native-method samples and is counted apart.
 */
final class JoinPathProfile {

  /** Components in the order a frame is tested against them; the first whose prefix matches wins. */
  static final Map<String, List<String>> COMPONENTS = components();

  /**
   * One profile.
   *
   * @param samples   Java execution samples of request threads
   * @param native    native-method samples of request threads (signing in AWS-LC, socket writes)
   * @param shares    component → share of {@code samples}, largest first
   * @param topFrames the innermost frames seen most often, with their sample counts
   * @param file      the recording, kept for {@code jfr print} or JDK Mission Control
   */
  record Profile(long samples, long nativeSamples, Map<String, Double> shares, Map<String, Long> topFrames,
      Path file) {
  }

  private JoinPathProfile() {
  }

  /** Records while {@code load} runs and summarises the request threads' samples. */
  static Profile record(Path file, Runnable load) {
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(20));
      recording.start();
      load.run();
      recording.stop();
      recording.dump(file);
      return summarise(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the profile " + file, e);
    }
  }

  static Profile summarise(Path file) throws IOException {
    Map<String, Long> byComponent = new LinkedHashMap<>();
    Map<String, Long> frames = new LinkedHashMap<>();
    long samples = 0;
    long nativeSamples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (!isRequestThread(event)) {
        continue;
      }
      String type = event.getEventType().getName();
      if (type.equals("jdk.NativeMethodSample")) {
        nativeSamples++;
        continue;
      }
      if (!type.equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
        continue;
      }
      samples++;
      RecordedStackTrace stack = event.getStackTrace();
      if (!stack.getFrames().isEmpty()) {
        frames.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
      }
      byComponent.merge(component(stack), 1L, Long::sum);
    }
    long total = Math.max(1, samples);
    Map<String, Double> shares = byComponent.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() / (double) total, (x, y) -> x,
            LinkedHashMap::new));
    Map<String, Long> top = frames.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(15).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (x, y) -> x, LinkedHashMap::new));
    return new Profile(samples, nativeSamples, shares, top, file);
  }

  /** Adds the profile's shares to the report, and prints its hottest frames. */
  static void report(BenchReport report, Profile profile, java.io.PrintStream progress) {
    profile.shares().forEach((component, share) -> report.figure("profile: " + component, share * 100, "%",
        "of " + profile.samples() + " request-thread samples"));
    report.figure("profile: native samples", profile.nativeSamples(), "samples",
        "request threads in native code (AWS-LC signing, socket I/O); apart from the shares");
    progress.println("profile written to " + profile.file() + "; hottest frames of the request threads:");
    profile.topFrames().forEach((frame, count) -> progress.printf(Locale.ROOT, "  %6d  %s%n", count, frame));
  }

  static Path temporaryFile(String prefix) {
    try {
      return Files.createTempFile(prefix, ".jfr");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isRequestThread(RecordedEvent event) {
    var thread = event.getThread("sampledThread");
    String name = thread == null ? null : thread.getJavaName();
    return name != null && name.startsWith("JettyServerThreadPool");
  }

  private static String component(RecordedStackTrace stack) {
    for (RecordedFrame frame : stack.getFrames()) {
      String type = frame.getMethod().getType().getName();
      for (Map.Entry<String, List<String>> component : COMPONENTS.entrySet()) {
        if (component.getValue().stream().anyMatch(type::startsWith)) {
          return component.getKey();
        }
      }
    }
    return "JDK and other";
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  private static Map<String, List<String>> components() {
    Map<String, List<String>> components = new LinkedHashMap<>();
    components.put("signing (JOSE, crypto)", List.of("com.nimbusds", "com.amazon.corretto", "sun.security",
        "java.security", "javax.crypto"));
    components.put("JSON (Jackson)", List.of("com.fasterxml"));
    components.put("metrics (Micrometer)", List.of("io.micrometer"));
    components.put("logging", List.of("org.slf4j", "ch.qos", "java.util.logging"));
    components.put("gateway placement and bookkeeping", List.of("dev.stagefleet.gateway.Audience",
        "dev.stagefleet.gateway.Seating", "dev.stagefleet.gateway.WaitingRoom", "dev.stagefleet.gateway.Viewer",
        "dev.stagefleet.gateway.ClientRateLimits"));
    components.put("gateway other", List.of("dev.stagefleet"));
    components.put("HTTP (Jetty, Javalin)", List.of("org.eclipse.jetty", "io.javalin", "jakarta.servlet", "kotlin"));
    return components;
  }
}
