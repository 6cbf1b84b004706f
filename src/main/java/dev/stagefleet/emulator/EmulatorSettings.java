package dev.stagefleet.emulator;

import dev.stagefleet.api.v1alpha1.AwsRegion;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How an {@link IvsEmulator} starts: where it listens, which region and account it pretends to be, and its initial
 * faults. Quotas and faults can also be changed while it runs ({@link IvsEmulator#quotas()}, {@link IvsEmulator#faults()}).
 *
 * @param host interface to bind, {@code 127.0.0.1} by default
 * @param port TCP port; 0 picks a free one
 * @param region the AWS region in ARNs, for example {@code us-east-1}
 * @param accountId the 12-digit account id in ARNs
 * @param throttling whether IVS's per-operation rate quotas are enforced (429 ThrottlingException past them)
 * @param latency added to every IVS call
 * @param errorRate fraction (0..1) of IVS calls answered 500 InternalServerException
 * @param clock the time for token expiry, sessions and timestamps
 */
public record EmulatorSettings(String host, int port, String region, String accountId, boolean throttling,
    Duration latency, double errorRate, Clock clock) {

  /** The port {@code stagefleet ivs-emulator} listens on unless told otherwise. */
  public static final int DEFAULT_PORT = 4590;
  public static final String DEFAULT_REGION = AwsRegion.DEFAULT;
  public static final String DEFAULT_ACCOUNT_ID = "123456789012";

  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

  public EmulatorSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(clock, "clock");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    if (!AwsRegion.isValid(region)) {
      throw new IllegalArgumentException("region must look like us-east-1, got '" + region + "'");
    }
    if (accountId == null || !ACCOUNT.matcher(accountId).matches()) {
      throw new IllegalArgumentException("accountId must be 12 digits, got '" + accountId + "'");
    }
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, got " + latency);
    }
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new IllegalArgumentException("errorRate must be between 0 and 1, got " + errorRate);
    }
  }

  /** 127.0.0.1:{@value #DEFAULT_PORT}, us-east-1, account 123456789012, throttling on, no faults, system clock. */
  public static EmulatorSettings defaults() {
    return new EmulatorSettings("127.0.0.1", DEFAULT_PORT, DEFAULT_REGION, DEFAULT_ACCOUNT_ID, true, Duration.ZERO, 0,
        Clock.systemUTC());
  }

  /** A builder starting at the defaults. */
  public static EmulatorSettingsBuilder builder() {
    return defaults().toBuilder();
  }

  /** A builder starting at these settings, to change some of them. */
  public EmulatorSettingsBuilder toBuilder() {
    return new EmulatorSettingsBuilder(this);
  }
}
