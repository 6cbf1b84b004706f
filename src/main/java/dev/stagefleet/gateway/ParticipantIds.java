package dev.stagefleet.gateway;

import java.security.SecureRandom;
import java.util.Random;

/**
 * Participant ids: 24 random letters and digits (142 bits). Not base64url: its '_' is outside the participant ids
 * IVS's GetParticipant and replication operations take.
 *
 * <p>Every join draws one, so each thread draws from a DRBG of its own ({@link ThreadRandom}), one block of bytes per id, rather than 24
 * {@code nextInt} calls on one shared {@link SecureRandom} (whose native source takes a lock and reads the kernel's
 * pool on each call).
 */
final class ParticipantIds {
  static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static final int LENGTH = 24;
  /** Bytes at or above this are drawn again, so each of the 62 characters is equally likely (248 = 4 x 62). */
  private static final int UNBIASED_BELOW = 256 - 256 % ALPHABET.length();
  /** A few more bytes than characters, so one draw almost always fills an id (a byte is refused with p = 8/256). */
  private static final int BLOCK = LENGTH + 8;

  private ParticipantIds() {
  }

  /** A new participant id. */
  static String next() {
    return next(ThreadRandom.get());
  }

  /** A participant id drawn from {@code random}. */
  static String next(Random random) {
    char[] id = new char[LENGTH];
    byte[] block = new byte[BLOCK];
    int filled = 0;
    while (filled < LENGTH) {
      random.nextBytes(block);
      for (int i = 0; i < block.length && filled < LENGTH; i++) {
        int b = block[i] & 0xff;
        if (b < UNBIASED_BELOW) {
          id[filled++] = ALPHABET.charAt(b % ALPHABET.length());
        }
      }
    }
    return new String(id);
  }
}
