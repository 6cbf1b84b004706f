package dev.stagefleet.ivs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class MeteredIvsServiceTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /** An IVS whose every call ends with {@code failure}, or returns an empty list when it is null. */
  private static IvsService failingWith(RuntimeException failure) {
    return (IvsService) Proxy.newProxyInstance(IvsService.class.getClassLoader(), new Class<?>[] {IvsService.class},
        (proxy, method, args) -> {
          if (failure != null) {
            throw failure;
          }
          return List.of();
        });
  }

  private double calls(String operation, String outcome) {
    var timer = meters.find(MeteredIvsService.CALL_METRIC).tags("operation", operation, "outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  @Test
  void countsASuccessfulCallIntoTheInjectedRegistry() {
    new MeteredIvsService(failingWith(null), meters).listStages();

    assertThat(calls("ListStages", "success")).isEqualTo(1);
    assertThat(Metrics.globalRegistry.find(MeteredIvsService.CALL_METRIC).timers()).isEmpty();
  }

  @Test
  void namesFailuresInTheSameVocabularyAsThePerAttemptMetric() {
    record Case(RuntimeException failure, IvsOutcome outcome) {
    }
    List<Case> cases = List.of(
        new Case(new IvsException.Throttled("ThrottlingException", "slow down", null), IvsOutcome.THROTTLED),
        new Case(new IvsException.Uncertain("InternalServerException", 500, "boom", null), IvsOutcome.SERVER_ERROR),
        new Case(new IvsException.Uncertain("NoAnswer", 0, "no answer", null), IvsOutcome.NO_ANSWER),
        new Case(new IvsException.Unavailable("ConnectionFailure", 0, "refused", null), IvsOutcome.UNREACHABLE),
        new Case(new IvsException.Unavailable(IvsOutcome.LOCAL_RATE_LIMIT, 0, "queued", null),
            IvsOutcome.RATE_LIMITED),
        new Case(new IvsException.NotFound("gone", null), IvsOutcome.NOT_FOUND),
        new Case(new IvsException.QuotaExceeded("full", null), IvsOutcome.QUOTA_EXCEEDED),
        new Case(new IvsException.Validation("bad", null), IvsOutcome.INVALID),
        new Case(new IvsException.Conflict("twice", null), IvsOutcome.CONFLICT),
        new Case(new IllegalStateException("bug"), IvsOutcome.ERROR));
    for (Case c : cases) {
      IvsService metered = new MeteredIvsService(failingWith(c.failure()), meters);
      assertThatThrownBy(metered::listStages).isSameAs(c.failure());
      assertThat(calls("ListStages", c.outcome().tag())).as(c.failure().toString()).isEqualTo(1);
    }
  }
}
