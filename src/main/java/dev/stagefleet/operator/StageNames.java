package dev.stagefleet.operator;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Names of new stages: {@code <namespace>-<name>-<8 random characters>}, within IVS's rules ({@code [a-zA-Z0-9-_]},
 * at most 128 characters). Names are for people; IVS identifies stages by ARN and does not require unique names.
 */
public final class StageNames {
  static final int MAX_LENGTH = 128;
  static final int SUFFIX_LENGTH = 8;
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final RandomGenerator random;

  public StageNames(RandomGenerator random) {
    this.random = random;
  }

  /** A fresh name for a stage of the broadcast {@code namespace/name}. */
  public String next(String namespace, String name) {
    String prefix = (namespace + "-" + name).replaceAll("[^a-zA-Z0-9_-]", "-").toLowerCase(Locale.ROOT);
    int room = MAX_LENGTH - SUFFIX_LENGTH - 1;
    if (prefix.length() > room) {
      prefix = prefix.substring(0, room);
    }
    StringBuilder sb = new StringBuilder(prefix).append('-');
    for (int i = 0; i < SUFFIX_LENGTH; i++) {
      sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
