package dev.stagefleet.bench;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What one scenario run measured: its sizes, figures and goals, printable as a table. */
public final class BenchReport {
  private final String scenario;
  private final Instant startedAt;
  private final Map<String, String> parameters = new LinkedHashMap<>();
  private final List<Figure> figures = new ArrayList<>();
  private final List<Goal> goals = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  public BenchReport(String scenario, Instant startedAt) {
    this.scenario = scenario;
    this.startedAt = startedAt;
  }

  public BenchReport parameter(String name, Object value) {
    parameters.put(name, String.valueOf(value));
    return this;
  }

  public BenchReport figure(String name, double value, String unit, String note) {
    figures.add(new Figure(name, value, unit, note));
    return this;
  }

  public BenchReport figure(String name, double value, String unit) {
    return figure(name, value, unit, "");
  }

  public BenchReport goal(String description, String measured, boolean met) {
    goals.add(new Goal(description, measured, met));
    return this;
  }

  /** A sentence printed under the table (what was left out, what went wrong). */
  public BenchReport note(String note) {
    notes.add(note);
    return this;
  }

  public String scenario() {
    return scenario;
  }

  public Map<String, String> parameters() {
    return Map.copyOf(parameters);
  }

  public List<Figure> figures() {
    return List.copyOf(figures);
  }

  public List<Goal> goals() {
    return List.copyOf(goals);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  /** The first figure with this name. */
  public Optional<Figure> figure(String name) {
    return figures.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /** The value of the figure with this name; fails when the run did not produce it. */
  public double value(String name) {
    return figure(name).orElseThrow(() -> new IllegalArgumentException("no figure \"" + name + "\" in " + scenario))
        .value();
  }

  /** Prints the report as a plain-text table. */
  public void print(PrintStream out) {
    out.println();
    out.println("== " + scenario + "  (started " + startedAt + ", " + MachineInfo.current().summary() + ")");
    if (!parameters.isEmpty()) {
      StringBuilder p = new StringBuilder("   sizes:");
      parameters.forEach((k, v) -> p.append(' ').append(k).append('=').append(v));
      out.println(p);
    }
    int nameWidth = Math.max(6, figures.stream().mapToInt(f -> f.name().length()).max().orElse(0));
    int valueWidth = Math.max(5, figures.stream().mapToInt(f -> format(f.value()).length()).max().orElse(0));
    int unitWidth = Math.max(4, figures.stream().mapToInt(f -> f.unit().length()).max().orElse(0));
    String row = "   %-" + nameWidth + "s  %" + valueWidth + "s  %-" + unitWidth + "s  %s%n";
    out.printf(row, "figure", "value", "unit", "how");
    out.printf(row, "-".repeat(nameWidth), "-".repeat(valueWidth), "-".repeat(unitWidth), "---");
    for (Figure f : figures) {
      out.printf(row, f.name(), format(f.value()), f.unit(), f.note());
    }
    for (Goal g : goals) {
      out.printf("   goal: %s -> %s: %s%n", g.description(), g.measured(), g.met() ? "MET" : "MISSED");
    }
    for (String note : notes) {
      out.println("   note: " + note);
    }
    out.flush();
  }

  /** The figures as a Markdown table (for docs/benchmarks.md). */
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("| figure | value | unit | how |\n|---|---:|---|---|\n");
    for (Figure f : figures) {
      md.append("| ").append(f.name()).append(" | ").append(format(f.value())).append(" | ").append(f.unit())
          .append(" | ").append(f.note()).append(" |\n");
    }
    for (Goal g : goals) {
      md.append("\nGoal: ").append(g.description()).append(" — ").append(g.measured()).append(": **")
          .append(g.met() ? "met" : "missed").append("**\n");
    }
    return md.toString();
  }

  /** A number as tables show it: integers plainly, small values with a few decimals. */
  public static String format(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return String.valueOf(value);
    }
    double abs = Math.abs(value);
    if (abs >= 100 || value == Math.rint(value) && abs < 1e15) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (abs >= 1) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
