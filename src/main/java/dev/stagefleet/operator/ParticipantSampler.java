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
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples IVS's count of connected subscribers of every tracked stage, round-robin across all broadcasts (never
 * sampled stages first, then the least recently sampled), within one budget for the whole operator. IVS's count is
 * the slow, authoritative check behind the gateways' reports; reconciles read the latest fresh sample, and a sample
 * older than {@link #FRESH_FOR} no longer counts.
 */
public final class ParticipantSampler {
  static final Duration FRESH_FOR = Duration.ofSeconds(30);
  /** A stage is not sampled again sooner than this, so a small fleet does not spend the budget on nothing new. */
  static final Duration MIN_INTERVAL = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(ParticipantSampler.class);

  private final Clock clock;
  private final CallBudget budget;
  /** Stage ARN to the IVS client of its region, per owning broadcast uid. */
  private final Map<String, Map<String, IvsService>> tracked = new ConcurrentHashMap<>();
  private final Map<String, Sample> samples = new ConcurrentHashMap<>();
  private final Map<String, Instant> attempts = new ConcurrentHashMap<>();

  private record Sample(Instant at, int subscribers) {
  }

  public ParticipantSampler(Clock clock, CallBudget budget) {
    this.clock = clock;
    this.budget = budget;
  }

  /** Samples the stages of broadcast {@code uid} from now on (replacing what was tracked for it). */
  public void track(String uid, IvsService ivs, List<String> stageArns) {
    Map<String, IvsService> stages = new HashMap<>();
    stageArns.forEach(arn -> stages.put(arn, ivs));
    tracked.put(uid, stages);
    var all = tracked.values().stream().flatMap(m -> m.keySet().stream()).toList();
    samples.keySet().retainAll(all);
    attempts.keySet().retainAll(all);
  }

  /** Stops sampling the stages of broadcast {@code uid}. */
  public void untrack(String uid) {
    Map<String, IvsService> gone = tracked.remove(uid);
    if (gone != null) {
      gone.keySet().forEach(samples::remove);
      gone.keySet().forEach(attempts::remove);
    }
  }

  /** The fresh subscriber counts known for these stages (ARN to count). */
  public Map<String, Integer> fresh(List<String> stageArns) {
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

  /**
   * Takes as many samples as the budget allows now. Sampling is best effort: a failed call ends this round, the
   * gateways' reports still count, and a failing IVS shows in the inventory sweep.
   */
  public void sampleDue() {
    while (true) {
      Instant now = clock.instant();
      Optional<Map.Entry<String, IvsService>> next = tracked.values().stream()
          .flatMap(m -> m.entrySet().stream())
          .filter(e -> isDue(e.getKey(), now))
          .min(Comparator.comparing(e -> lastSampled(e.getKey())));
      if (next.isEmpty() || !budget.tryAcquire()) {
        return;
      }
      String arn = next.get().getKey();
      attempts.put(arn, now);
      try {
        samples.put(arn, new Sample(clock.instant(), next.get().getValue().countConnectedParticipants(arn).subscribers()));
      } catch (IvsException e) {
        LOG.debug("could not count participants of {}: {}", arn, e.getMessage());
        return;
      }
    }
  }

  private boolean isDue(String arn, Instant now) {
    Instant last = attempts.get(arn);
    return last == null || !last.plus(MIN_INTERVAL).isAfter(now);
  }

  private Instant lastSampled(String arn) {
    return attempts.getOrDefault(arn, Instant.MIN);
  }
}
