package dev.stagefleet.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move by hand, so windows and expiries pass without sleeping: stopped at a given instant, or
 * following real time (for servers whose tokens other parties check against their own clocks) plus what the test
 * has added.
 */
public final class ManualClock extends Clock {
  private final Clock base;
  private volatile Duration offset = Duration.ZERO;

  /** A clock that stands at {@code start} until the test moves it. */
  public ManualClock(Instant start) {
    this(Clock.fixed(start, ZoneOffset.UTC));
  }

  private ManualClock(Clock base) {
    this.base = base;
  }

  /** A clock that follows real time, plus whatever the test advances it by. */
  public static ManualClock followingSystemTime() {
    return new ManualClock(Clock.systemUTC());
  }

  public synchronized void advance(Duration duration) {
    offset = offset.plus(duration);
  }

  @Override
  public Instant instant() {
    return base.instant().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
