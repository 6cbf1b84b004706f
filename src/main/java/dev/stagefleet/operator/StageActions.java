package dev.stagefleet.operator;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.operator.IvsRegions.IvsRegion;
import dev.stagefleet.scaling.ScalingDecision;
import java.time.Duration;
import java.time.Instant;

/**
 * The "act" step: applies a scaling decision to IVS (reactivate, create, drain, delete), recording each change in
 * the inventory, the working stages and an Event as it succeeds. A failing call stops the step; everything done
 * before it is kept, so the status always shows what really exists.
 */
final class StageActions {
  /**
   * Most stages created in one pass. A big jump is spread over a few quick passes, so the status (and with it the
   * gateways) sees the first new stages while IVS's create rate limit spaces out the rest.
   */
  static final int MAX_CREATES_PER_PASS = 10;

  private final String clusterId;
  private final StageNames names;
  private final EventRecorder events;
  private final Duration quotaBackoff;
  private final Leadership leadership;

  /** What the step did, and why it stopped early if it did. */
  record Outcome(int created, int reactivated, int drained, int deleted, IvsException failure, String quotaMessage,
      boolean createsDeferred, boolean createsCapped) {
    boolean scaledUp() {
      return created + reactivated > 0;
    }

    boolean changed() {
      return created + reactivated + drained + deleted > 0;
    }
  }

  StageActions(String clusterId, StageNames names, EventRecorder events, Duration quotaBackoff,
      Leadership leadership) {
    this.clusterId = clusterId;
    this.leadership = leadership;
    this.names = names;
    this.events = events;
    this.quotaBackoff = quotaBackoff;
  }

  Outcome apply(LiveBroadcast broadcast, IvsRegion region, BroadcastStages stages, ScalingDecision decision,
      BroadcastMemory memory, Instant now) {
    long generation = generation(broadcast);
    int reactivated = 0;
    for (String id : decision.toReactivate()) {
      stages.activate(id);
      reactivated++;
      events.normal(broadcast, EventRecorder.SCALED_UP, "Reactivated draining stage " + id + " for the returning audience");
    }

    int created = 0;
    IvsException failure = null;
    String quotaMessage = null;
    boolean deferred = false;
    StageInventory inventory = region.inventory();
    if (decision.stagesToCreate() > 0) {
      var pause = memory.quotaPause;
      if (pause != null && pause.blocks(now, generation, inventory.deletions())) {
        quotaMessage = pause.message();
      } else if (!inventory.createsAllowed(broadcast.getMetadata().getUid())) {
        deferred = true;
      } else {
        for (int i = 0; i < Math.min(decision.stagesToCreate(), MAX_CREATES_PER_PASS); i++) {
          leadership.check();
          String name = names.next(broadcast.getMetadata().getNamespace(), broadcast.getMetadata().getName());
          try {
            IvsService.Stage stage = region.ivs().createStage(name, StageTags.of(clusterId, broadcast));
            inventory.recordCreated(stage);
            stages.add(stage, now);
            created++;
            memory.quotaPause = null;
            events.normal(broadcast, EventRecorder.STAGE_CREATED, "Created stage " + stage.id() + " (" + name + ")");
          } catch (IvsException.QuotaExceeded e) {
            quotaMessage = "IVS refused another stage: " + e.getMessage();
            memory.quotaPause = BroadcastMemory.QuotaPause.after(memory.quotaPause, now, quotaBackoff, generation,
                inventory.deletions(), quotaMessage);
            events.warning(broadcast, EventRecorder.QUOTA_EXCEEDED, quotaMessage);
            break;
          } catch (IvsException.Uncertain e) {
            // The request may have made the stage (or may still): never create another for this broadcast until the
            // tagged inventory shows whether it exists; if it does, the next look adopts it.
            inventory.markUncertain(broadcast.getMetadata().getUid(), name, e.unanswered());
            failure = e;
            break;
          } catch (IvsException e) {
            failure = e;
            break;
          }
        }
      }
    }
    if (reactivated + created > 0) {
      events.normal(broadcast, EventRecorder.SCALED_UP, "Scaled up to " + count(stages.active(), "active stage")
          + " for " + count(decision.viewers(), "viewer"));
    }

    int drained = 0;
    for (String id : decision.toDrain()) {
      stages.drain(id, now);
      drained++;
      events.normal(broadcast, EventRecorder.DRAINING, "Draining stage " + id + " ("
          + count(stages.get(id).map(s -> s.getViewers()).orElse(0), "viewer") + "); "
          + count(decision.desiredStages(), "active stage") + (decision.desiredStages() == 1 ? " is" : " are")
          + " enough for " + count(decision.viewers(), "viewer"));
    }

    int deleted = 0;
    if (failure == null) {
      for (String id : decision.toDelete()) {
        var stage = stages.get(id).orElseThrow();
        leadership.check();
        try {
          region.ivs().deleteStage(stage.getArn());
        } catch (IvsException e) {
          failure = e;
          break;
        }
        inventory.recordDeleted(stage.getArn());
        stages.remove(id);
        deleted++;
        int viewers = stage.getViewers() == null ? 0 : stage.getViewers();
        events.normal(broadcast, EventRecorder.STAGE_DELETED, viewers == 0 ? "Deleted empty stage " + id
            : "Deleted stage " + id + " after its drain timeout, with " + viewers + " viewers left");
      }
    }
    boolean capped = created == MAX_CREATES_PER_PASS && decision.stagesToCreate() > MAX_CREATES_PER_PASS;
    return new Outcome(created, reactivated, drained, deleted, failure, quotaMessage, deferred, capped);
  }

  static long generation(LiveBroadcast broadcast) {
    Long g = broadcast.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  /** "1 viewer", "3 viewers": a count with its noun, singular or plural. */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
