package dev.stagefleet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine a benchmark ran on: cores, memory, JDK and OS, as the report's header names them. */
public record MachineInfo(int cores, long memoryMiB, String jdk, String os, double loadAverage) {

  public static MachineInfo current() {
    return new MachineInfo(Runtime.getRuntime().availableProcessors(), totalMemoryMiB(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  public String summary() {
    return String.format(Locale.ROOT, "%d cores, %,d MiB RAM, %s, load %.2f", cores, memoryMiB, jdk, loadAverage);
  }

  private static long totalMemoryMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: fall through to the JVM's view
    }
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() / (1024 * 1024);
    }
    return -1;
  }
}
