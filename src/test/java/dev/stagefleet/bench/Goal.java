package dev.stagefleet.bench;

/**
 * A goal of a benchmark scenario and whether this run met it.
 *
 * @param description the goal as the issue states it, for example "joins/s >= 70% of min(a, b)"
 * @param measured    what this run measured, in words with its figures (for example "0.81 of min(a, b)")
 * @param met         whether the run met the goal
 */
public record Goal(String description, String measured, boolean met) {
}
