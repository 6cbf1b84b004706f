package dev.stagefleet.bench;

/**
 * One measured figure of a benchmark run.
 *
 * @param name  what was measured, for example "joins/s through the gateway"
 * @param value the measurement
 * @param unit  its unit, for example "1/s" or "ms"
 * @param note  how it was measured (threads, rate, sizes); may be empty
 */
public record Figure(String name, double value, String unit, String note) {
  public Figure(String name, double value, String unit) {
    this(name, value, unit, "");
  }
}
