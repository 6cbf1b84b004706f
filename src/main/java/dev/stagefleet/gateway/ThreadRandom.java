package dev.stagefleet.gateway;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * One DRBG per thread, for the ids every join draws: the default SecureRandom on Linux (NativePRNG) serialises every
 * caller on one global lock, which a profile of {@code bench joins} showed as the request threads' most contended
 * lock after the book's.
 */
final class ThreadRandom {
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(ThreadRandom::drbg);

  private ThreadRandom() {
  }

  /** This thread's generator. */
  static SecureRandom get() {
    return RANDOM.get();
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
