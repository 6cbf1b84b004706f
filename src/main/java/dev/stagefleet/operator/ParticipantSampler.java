package dev.stagefleet.operator;

import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples IVS's count of connected subscribers per stage within one budget for the whole operator, least recently
 * sampled stages first. IVS's count is the slow, authoritative check behind the gateways' reports; a sample counts
 * for {@link #FRESH_FOR} and is then ignored.
 */
public final class ParticipantSampler {
  static final Duration FRESH_FOR = Duration.ofSeconds(30);
  /** A stage is not sampled again sooner than this, so back-to-back reconciles leave budget to other stages. */
  static final Duration MIN_INTERVAL = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(ParticipantSampler.class);

  private final Clock clock;
  private final CallBudget budget;
  private final Map<String, Sample> samples = new ConcurrentHashMap<>();

  private record Sample(Instant at, int subscribers) {
  }

  public ParticipantSampler(Clock clock, CallBudget budget) {
    this.clock = clock;
    this.budget = budget;
  }

  /**
   * Samples as many of the stages as the budget allows now, and returns the fresh subscriber counts (ARN to count)
   * known for them, sampled now or earlier. Sampling is best effort: a failed call leaves that stage unsampled.
   */
  public Map<String, Integer> sample(IvsService ivs, List<String> stageArns) {
    Instant never = Instant.EPOCH;
    List<String> oldestFirst = stageArns.stream()
        .sorted(Comparator.comparing(arn -> samples.getOrDefault(arn, new Sample(never, 0)).at()))
        .toList();
    for (String arn : oldestFirst) {
      Sample previous = samples.get(arn);
      if (previous != null && previous.at().plus(MIN_INTERVAL).isAfter(clock.instant())) {
        continue;
      }
      if (!budget.tryAcquire()) {
        break;
      }
      try {
        samples.put(arn, new Sample(clock.instant(), ivs.countConnectedParticipants(arn).subscribers()));
      } catch (IvsException e) {
        // Best effort: the gateways' reports still count, and a failing IVS shows in the inventory sweep.
        LOG.debug("could not count participants of {}: {}", arn, e.getMessage());
        break;
      }
    }
    Instant now = clock.instant();
    Map<String, Integer> fresh = new HashMap<>();
    for (String arn : stageArns) {
      Sample s = samples.get(arn);
      if (s != null && s.at().plus(FRESH_FOR).isAfter(now)) {
        fresh.put(arn, s.subscribers());
      }
    }
    return fresh;
  }

  /** Forgets a deleted stage. */
  public void forget(String arn) {
    samples.remove(arn);
  }
}
