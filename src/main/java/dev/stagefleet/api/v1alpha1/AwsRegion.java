package dev.stagefleet.api.v1alpha1;

import java.util.regex.Pattern;

/** What an AWS region name looks like (us-east-1, us-gov-west-1): one pattern for the CRD, the operator and the emulator. */
public final class AwsRegion {
  /** The region pattern, as the CRD schema states it. */
  public static final String PATTERN = "^[a-z]{2}(-[a-z]+)+-[0-9]+$";

  /** The region of anything that names none. */
  public static final String DEFAULT = "us-east-1";

  private static final Pattern COMPILED = Pattern.compile(PATTERN);

  private AwsRegion() {
  }

  /** Whether {@code name} is a region name; null is not. */
  public static boolean isValid(String name) {
    return name != null && COMPILED.matcher(name).matches();
  }
}
