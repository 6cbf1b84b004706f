package dev.stagefleet.operator;

import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The operator's in-memory IVS for fast tests: stages with tags, subscriber counts, injected faults, call counts. */
final class InMemoryIvs implements IvsService {
  static final String ACCOUNT = "123456789012";

  private final String region;
  private final Map<String, Stage> stages = new LinkedHashMap<>();
  private final Map<String, Integer> subscribers = new ConcurrentHashMap<>();
  private final Map<String, Publisher> publishers = new HashMap<>();
  private final List<Replica> replications = new ArrayList<>();
  private final Set<String> refusedDestinations = new HashSet<>();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final List<String> sessionsCounted = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Random random = new Random(7);
  private volatile boolean outage;
  private volatile int stageQuota = 1000;
  private volatile double errorRate;
  private volatile CountDownLatch createGate;
  private final AtomicInteger createsHeld = new AtomicInteger();

  InMemoryIvs(String region) {
    this.region = region;
  }

  // --- test controls

  void outage(boolean on) {
    outage = on;
  }

  void stageQuota(int quota) {
    stageQuota = quota;
  }

  void errorRate(double rate) {
    errorRate = rate;
  }

  /** CreateStage calls from now on wait (outside the lock) until {@link #releaseCreates()}. */
  void holdCreates() {
    createGate = new CountDownLatch(1);
  }

  void releaseCreates() {
    CountDownLatch gate = createGate;
    createGate = null;
    if (gate != null) {
      gate.countDown();
    }
  }

  /** CreateStage calls waiting at the gate right now. */
  int createsHeld() {
    return createsHeld.get();
  }

  /** Connects {@code n} subscribers to the stage, which then has an active session (as ListStages shows). */
  synchronized void subscribers(String arn, int n) {
    subscribers.put(arn, n);
    Stage s = stages.get(arn);
    if (s != null && s.activeSessionId() == null) {
      stages.put(arn, new Stage(s.arn(), s.name(), s.tags(), s.endpoints(), "st-" + s.arn().hashCode()));
    }
  }

  /** The sessions counted through ListParticipants, in order. */
  List<String> sessionsCounted() {
    return List.copyOf(sessionsCounted);
  }

  long calls(String operation) {
    AtomicLong n = calls.get(operation);
    return n == null ? 0 : n.get();
  }

  synchronized List<Stage> stages() {
    return List.copyOf(stages.values());
  }

  synchronized Stage put(String name, Map<String, String> tags) {
    String id = randomId();
    String arn = "arn:aws:ivs:" + region + ":" + ACCOUNT + ":stage/" + id;
    Stage stage = new Stage(arn, name, Map.copyOf(tags),
        new Endpoints("wss://global.events.live-video.net", "https://" + id + ".global-bm.whip.live-video.net"), null);
    stages.put(arn, stage);
    return stage;
  }

  private String randomId() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private synchronized void call(String operation) {
    calls.computeIfAbsent(operation, o -> new AtomicLong()).incrementAndGet();
    if (outage) {
      throw new IvsException.Unavailable("ServiceUnavailable", 0, "connection refused", null);
    }
    if (errorRate > 0 && random.nextDouble() < errorRate) {
      throw new IvsException.Uncertain("InternalServerException", 500, "injected failure", null);
    }
  }

  // --- IvsService

  @Override
  public Stage createStage(String name, Map<String, String> tags) {
    CountDownLatch gate = createGate;
    if (gate != null) {
      createsHeld.incrementAndGet();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IvsException.Unavailable("Interrupted", 0, "interrupted while held", e);
      } finally {
        createsHeld.decrementAndGet();
      }
    }
    return create(name, tags);
  }

  private synchronized Stage create(String name, Map<String, String> tags) {
    call("CreateStage");
    if (stages.size() >= stageQuota) {
      throw new IvsException.QuotaExceeded("Stages quota of " + stageQuota + " exceeded", null);
    }
    return put(name, tags);
  }

  @Override
  public synchronized void deleteStage(String arn) {
    call("DeleteStage");
    stages.remove(arn);
    subscribers.remove(arn);
    publishers.remove(arn);
    replications.removeIf(r -> r.sourceStageArn().equals(arn) || r.destinationStageArn().equals(arn));
  }

  @Override
  public synchronized void tagResource(String arn, Map<String, String> tags) {
    call("TagResource");
    Stage s = stages.get(arn);
    if (s == null) {
      throw new IvsException.NotFound("no stage " + arn, null);
    }
    Map<String, String> merged = new HashMap<>(s.tags());
    merged.putAll(tags);
    stages.put(arn, new Stage(s.arn(), s.name(), Map.copyOf(merged), s.endpoints(), s.activeSessionId()));
  }

  @Override
  public synchronized List<Stage> listStages() {
    call("ListStages");
    List<Stage> out = new ArrayList<>();
    for (Stage s : stages.values()) {
      out.add(new Stage(s.arn(), s.name(), s.tags(), null, s.activeSessionId()));
    }
    return out;
  }

  @Override
  public synchronized Optional<Stage> getStage(String arn) {
    call("GetStage");
    return Optional.ofNullable(stages.get(arn));
  }

  @Override
  public ParticipantCount countConnectedParticipants(String stageArn, String sessionId) {
    if (sessionId == null || sessionId.isEmpty()) {
      return ParticipantCount.NONE;
    }
    call("ListParticipants");
    sessionsCounted.add(sessionId);
    return new ParticipantCount(subscribers.getOrDefault(stageArn, 0), 0, 0);
  }

  @Override
  public ParticipantToken createParticipantToken(String stageArn, Set<Capability> capabilities, Duration duration,
      String userId, Map<String, String> attributes) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void disconnectParticipant(String stageArn, String participantId, String reason) {
    throw new UnsupportedOperationException();
  }

  @Override
  public PublicKey importPublicKey(String publicKeyPem, String name, Map<String, String> tags) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<PublicKey> getPublicKey(String arn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void deletePublicKey(String arn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public synchronized Optional<String> publishingParticipant(String stageArn, String sessionId, String userId) {
    call("ListParticipants");
    Stage stage = stages.get(stageArn);
    if (stage == null || sessionId == null || !sessionId.equals(stage.activeSessionId())) {
      return Optional.empty();
    }
    return Optional.ofNullable(publishers.get(stageArn)).filter(p -> p.userId().equals(userId)).map(Publisher::id);
  }

  @Override
  public synchronized void startReplication(String sourceStageArn, String destinationStageArn, String participantId,
      int reconnectWindowSeconds) {
    call("StartParticipantReplication");
    if (!stages.containsKey(sourceStageArn) || !stages.containsKey(destinationStageArn)) {
      throw new IvsException.NotFound("no stage", null);
    }
    Publisher publisher = publishers.get(sourceStageArn);
    if (publisher == null || !publisher.id().equals(participantId)) {
      throw new IvsException.NotFound("participant " + participantId + " is not publishing in " + sourceStageArn, null);
    }
    if (refusedDestinations.contains(destinationStageArn)) {
      throw new IvsException.QuotaExceeded("injected: replication into " + destinationStageArn + " refused", null);
    }
    long active = replications.stream().filter(r -> r.participantId().equals(participantId)).count();
    if (active >= 5) {
      throw new IvsException.QuotaExceeded("participant " + participantId + " already has 5 replications", null);
    }
    replications.removeIf(r -> r.destinationStageArn().equals(destinationStageArn)
        && r.participantId().equals(participantId));
    replications.add(new Replica(sourceStageArn, destinationStageArn, participantId, "ACTIVE"));
    stages.computeIfPresent(destinationStageArn, (arn, s) -> s.activeSessionId() != null ? s
        : new Stage(s.arn(), s.name(), s.tags(), s.endpoints(), "st-" + randomId()));
  }

  @Override
  public synchronized void stopReplication(String sourceStageArn, String destinationStageArn, String participantId) {
    call("StopParticipantReplication");
    boolean removed = replications.removeIf(r -> r.sourceStageArn().equals(sourceStageArn)
        && r.destinationStageArn().equals(destinationStageArn) && r.participantId().equals(participantId));
    if (!removed) {
      throw new IvsException.NotFound("no such replication", null);
    }
  }

  @Override
  public synchronized List<Replica> listReplicas(String sourceStageArn, String participantId) {
    call("ListParticipantReplicas");
    return replications.stream().filter(r -> r.sourceStageArn().equals(sourceStageArn)
        && r.participantId().equals(participantId)).toList();
  }

  // --- replication test controls

  /** The broadcaster joins {@code arn} as a new participant and publishes (as a page reload does). */
  synchronized String publish(String arn, String userId) {
    String id = "p-" + randomId();
    publishers.put(arn, new Publisher(id, userId));
    stages.computeIfPresent(arn, (a, s) -> s.activeSessionId() != null ? s
        : new Stage(s.arn(), s.name(), s.tags(), s.endpoints(), "st-" + randomId()));
    return id;
  }

  /** The broadcaster leaves {@code arn}; past the reconnect window its replications end, as in IVS. */
  synchronized void unpublish(String arn, boolean replicationsEnd) {
    Publisher gone = publishers.remove(arn);
    if (gone != null && replicationsEnd) {
      replications.removeIf(r -> r.participantId().equals(gone.id()));
    }
  }

  /** Replication into {@code arn} fails (402) until allowed again. */
  synchronized void refuseReplicationInto(String arn, boolean refuse) {
    if (refuse) {
      refusedDestinations.add(arn);
    } else {
      refusedDestinations.remove(arn);
    }
  }

  /** Active replications, as IVS holds them. */
  synchronized List<Replica> replications() {
    return List.copyOf(replications);
  }

  private record Publisher(String id, String userId) {
  }
}
