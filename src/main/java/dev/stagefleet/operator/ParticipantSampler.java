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
 * older than {@link #FRESH_FOR} no longer counts. The active session of each stage comes from the inventory
 * (ListStages summaries carry it), so a sample costs ListParticipants only, never a stage-class call, and a stage
 * with no live session counts zero without any call.
 */
public final class ParticipantSampler {
  static final Duration FRESH_FOR = Duration.ofSeconds(30);
  /** A stage is not sampled again sooner than this, so a small fleet does not spend the budget on nothing new. */
  static final Duration MIN_INTERVAL = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(ParticipantSampler.class);

  private final Clock clock;
  private final CallBudget budget;
  /** Stage ARN to what sampling it needs, per owning broadcast uid. */
  private final Map<String, Map<String, Target>> tracked = new ConcurrentHashMap<>();
  private final Map<String, Sample> samples = new ConcurrentHashMap<>();
  private final Map<String, Instant> attempts = new ConcurrentHashMap<>();

  private record Sample(Instant at, int subscribers) {
  }

  /** A tracked stage: the IVS client of its region and its active session as the inventory last listed it. */
  private record Target(IvsService ivs, String sessionId) {
  }

  public ParticipantSampler(Clock clock, CallBudget budget) {
    this.clock = clock;
    this.budget = budget;
  }

  /**
   * Samples the stages of broadcast {@code uid} from now on (replacing what was tracked for it), each in the active
   * session its inventory entry names ({@link IvsService.Stage#activeSessionId()}, null when none).
   */
  public void track(String uid, IvsService ivs, List<IvsService.Stage> stageList) {
    Map<String, Target> stages = new HashMap<>();
    stageList.forEach(stage -> stages.put(stage.arn(), new Target(ivs, stage.activeSessionId())));
    tracked.put(uid, stages);
    var all = tracked.values().stream().flatMap(m -> m.keySet().stream()).toList();
    samples.keySet().retainAll(all);
    attempts.keySet().retainAll(all);
  }

  /** Stops sampling the stages of broadcast {@code uid}. */
  public void untrack(String uid) {
    Map<String, Target> gone = tracked.remove(uid);
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

  /** When the fresh sample of this stage was taken, if it has one. */
  public Optional<Instant> sampledAt(String stageArn) {
    Sample s = samples.get(stageArn);
    return s != null && s.at().plus(FRESH_FOR).isAfter(clock.instant()) ? Optional.of(s.at()) : Optional.empty();
  }

  /**
   * Takes as many samples as the budget allows now. Sampling is best effort: a failed call ends this round, the
   * gateways' reports still count, and a failing IVS shows in the inventory sweep.
   */
  public void sampleDue() {
    while (true) {
      Instant now = clock.instant();
      Optional<Map.Entry<String, Target>> next = tracked.values().stream()
          .flatMap(m -> m.entrySet().stream())
          .filter(e -> isDue(e.getKey(), now))
          .min(Comparator.comparing(e -> lastSampled(e.getKey())));
      if (next.isEmpty()) {
        return;
      }
      String arn = next.get().getKey();
      Target target = next.get().getValue();
      if (target.sessionId() == null || target.sessionId().isEmpty()) {
        // no live session, nobody connected: known without a call, so it costs none of the budget
        attempts.put(arn, now);
        samples.put(arn, new Sample(now, 0));
        continue;
      }
      if (!budget.tryAcquire()) {
        return;
      }
      attempts.put(arn, now);
      try {
        samples.put(arn, new Sample(clock.instant(),
            target.ivs().countConnectedParticipants(arn, target.sessionId()).subscribers()));
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
