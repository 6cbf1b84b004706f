package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.StageChanges.Change;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Pushes stage changes to broadcaster sockets: a snapshot when a socket connects, then stage_created (with a fresh
 * PUBLISH token), stage_draining, stage_active and stage_deleted as the broadcast's status changes. Every state change
 * runs on one executor, so a subscriber's snapshot and the events after it are always consistent.
 */
final class BroadcasterEvents implements BroadcastDirectory.Listener {

  /** One broadcaster socket. Legacy sockets get the seed design's messages: no snapshot, no tokens. */
  record Subscriber(BroadcastKey broadcast, SocketOutbox outbox, boolean legacy) {
  }

  private static final class Channel {
    LiveBroadcast latest;
    final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  }

  private final BroadcastDirectory directory;
  private final TokenIssuer tokens;
  private final Clock clock;
  private final Executor changes;
  private final Map<BroadcastKey, Channel> channels = new ConcurrentHashMap<>();

  BroadcasterEvents(BroadcastDirectory directory, TokenIssuer tokens, Clock clock, Executor changes) {
    this.directory = directory;
    this.tokens = tokens;
    this.clock = clock;
    this.changes = changes;
  }

  void subscribe(Subscriber subscriber) {
    changes.execute(() -> {
      Channel channel = channels.computeIfAbsent(subscriber.broadcast(), k -> new Channel());
      if (channel.latest == null) {
        channel.latest = directory.find(subscriber.broadcast()).orElse(null);
      }
      if (channel.latest == null) {
        subscriber.outbox().offer(SocketMessages.ended(clock.instant()));
        subscriber.outbox().closeAfterSending(SocketOutbox.CLOSE_NORMAL, "the broadcast does not exist");
        return;
      }
      channel.subscribers.add(subscriber);
      if (!subscriber.legacy()) {
        subscriber.outbox().offer(snapshot(channel.latest));
      }
    });
  }

  void unsubscribe(Subscriber subscriber) {
    Channel channel = channels.get(subscriber.broadcast());
    if (channel != null) {
      channel.subscribers.remove(subscriber);
    }
  }

  @Override
  public void changed(LiveBroadcast broadcast) {
    changes.execute(() -> {
      Channel channel = channels.computeIfAbsent(BroadcastKey.of(broadcast), k -> new Channel());
      List<StageStatus> before = channel.latest == null || channel.latest.getStatus() == null ? List.of()
          : channel.latest.getStatus().stagesOrEmpty();
      channel.latest = broadcast;
      if (channel.subscribers.isEmpty()) {
        return;
      }
      List<StageStatus> after = broadcast.getStatus() == null ? List.of() : broadcast.getStatus().stagesOrEmpty();
      for (Change change : StageChanges.between(before, after)) {
        publish(channel, change);
      }
    });
  }

  @Override
  public void removed(LiveBroadcast lastKnown) {
    changes.execute(() -> {
      Channel channel = channels.remove(BroadcastKey.of(lastKnown));
      if (channel == null) {
        return;
      }
      List<StageStatus> stages = channel.latest == null || channel.latest.getStatus() == null ? List.of()
          : channel.latest.getStatus().stagesOrEmpty();
      Instant now = clock.instant();
      for (Subscriber subscriber : channel.subscribers) {
        for (StageStatus stage : stages) {
          subscriber.outbox().offer(SocketMessages.message("stage_deleted",
              SocketMessages.stageData(stage, now, null)));
        }
        subscriber.outbox().offer(SocketMessages.ended(now));
        subscriber.outbox().closeAfterSending(SocketOutbox.CLOSE_NORMAL, "the broadcast was deleted");
      }
    });
  }

  /** Sends a heartbeat to every broadcaster socket. */
  void heartbeat() {
    String beat = SocketMessages.heartbeat(clock.instant());
    channels.values().forEach(c -> c.subscribers.forEach(s -> s.outbox().offer(beat)));
  }

  int subscribers() {
    return channels.values().stream().mapToInt(c -> c.subscribers.size()).sum();
  }

  private void publish(Channel channel, Change change) {
    Instant now = clock.instant();
    StageStatus stage = change.stage();
    for (Subscriber subscriber : channel.subscribers) {
      switch (change.kind()) {
        case CREATED -> {
          if (subscriber.legacy()) {
            if (stage.isActive()) {
              subscriber.outbox().offer(SocketMessages.message("stage_created",
                  SocketMessages.stageData(stage, now, null)));
            }
          } else {
            subscriber.outbox().offer(SocketMessages.message("stage_created",
                tokenData(channel.latest, stage, now)));
          }
        }
        case DRAINING -> {
          if (!subscriber.legacy()) {
            subscriber.outbox().offer(SocketMessages.message("stage_draining",
                SocketMessages.stageData(stage, now, null)));
          }
        }
        case REACTIVATED -> {
          if (!subscriber.legacy()) {
            subscriber.outbox().offer(SocketMessages.message("stage_active",
                SocketMessages.stageData(stage, now, null)));
          }
        }
        case DELETED -> subscriber.outbox().offer(SocketMessages.message("stage_deleted",
            SocketMessages.stageData(stage, now, null)));
        case VIEWERS -> {
          if (!subscriber.legacy()) {
            subscriber.outbox().offer(SocketMessages.message("stage_viewers",
                SocketMessages.stageData(stage, now, null)));
          }
        }
        case FEED -> {
          // seed-design clients publish into every stage anyway; they get no new message type
          // a stage that became an origin comes with a fresh PUBLISH token: the page joins it at once
          if (!subscriber.legacy()) {
            subscriber.outbox().offer(SocketMessages.message("stage_feed",
                SocketMessages.publishes(stage) ? tokenData(channel.latest, stage, now)
                    : SocketMessages.stageData(stage, now, null)));
          }
        }
      }
    }
  }

  private String snapshot(LiveBroadcast broadcast) {
    Instant now = clock.instant();
    List<Map<String, Object>> stages = new ArrayList<>();
    if (broadcast.getStatus() != null) {
      for (StageStatus stage : broadcast.getStatus().stagesOrEmpty()) {
        stages.add(tokenData(broadcast, stage, now));
      }
    }
    return SocketMessages.snapshot(stages, now);
  }

  /** A stage's data with a fresh PUBLISH token, or with the reason there is none. */
  private Map<String, Object> tokenData(LiveBroadcast broadcast, StageStatus stage, Instant now) {
    MintedToken token = null;
    String error = null;
    try {
      token = tokens.publish(broadcast, stage);
    } catch (TokenUnavailable e) {
      error = e.getMessage();
    }
    Map<String, Object> data = SocketMessages.stageData(stage, now, token);
    if (error != null) {
      data.put("tokenError", error);
    }
    return data;
  }
}
