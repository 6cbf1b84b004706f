package dev.stagefleet.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stagefleet.emulator.EmulatorViews.Endpoints;
import dev.stagefleet.emulator.EmulatorViews.EventName;
import dev.stagefleet.emulator.EmulatorViews.EventView;
import dev.stagefleet.emulator.EmulatorViews.KeyView;
import dev.stagefleet.emulator.EmulatorViews.Page;
import dev.stagefleet.emulator.EmulatorViews.ParticipantFilter;
import dev.stagefleet.emulator.EmulatorViews.ParticipantState;
import dev.stagefleet.emulator.EmulatorViews.ParticipantView;
import dev.stagefleet.emulator.EmulatorViews.ReplicaView;
import dev.stagefleet.emulator.EmulatorViews.ReplicationState;
import dev.stagefleet.emulator.EmulatorViews.ReplicationType;
import dev.stagefleet.emulator.EmulatorViews.SessionView;
import dev.stagefleet.emulator.EmulatorViews.StageCreated;
import dev.stagefleet.emulator.EmulatorViews.StageView;
import dev.stagefleet.emulator.EmulatorViews.TokenRequest;
import dev.stagefleet.emulator.EmulatorViews.TokenView;
import dev.stagefleet.emulator.ParticipantRejectedException.Reason;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * One account's IVS real-time resources in one region: stages and their sessions, participants and events, public
 * keys and tags, with {@link Replications} working on the same records. Every method is atomic (one lock); failures
 * are {@link IvsError}s as IVS reports them, or {@link ParticipantRejectedException} for joins.
 */
final class EmulatedRegion {
  private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private final String region;
  private final String accountId;
  private final Clock clock;
  private final EmulatorQuotas quotas;
  private final ParticipantTokens tokens;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, StageRecord> stages = new LinkedHashMap<>();
  private final Map<String, KeyRecord> keys = new LinkedHashMap<>();
  private final Replications replications;
  private long sequence;

  EmulatedRegion(String region, String accountId, Clock clock, EmulatorQuotas quotas, ParticipantTokens tokens) {
    this.region = region;
    this.accountId = accountId;
    this.clock = clock;
    this.quotas = quotas;
    this.tokens = tokens;
    this.replications = new Replications(this, quotas);
  }

  // ---- stages ----

  synchronized StageCreated createStage(String name, Map<String, String> tags, List<TokenRequest> tokenRequests,
      JsonNode recordingConfiguration) {
    if (stages.size() >= quotas.stages()) {
      throw IvsError.quotaExceeded("Stage quota exceeded: the account has " + stages.size() + " of at most "
          + quotas.stages() + " stages in " + region);
    }
    String id = randomId(12);
    String host = randomId(12).toLowerCase(java.util.Locale.ROOT);
    Endpoints endpoints = new Endpoints("wss://global.events.live-video.net",
        "https://" + host + ".global-bm.whip.live-video.net",
        "rtmp://" + host + ".global-contribute-staging.live-video.net/app/",
        "rtmps://" + host + ".global-contribute.live-video.net:443/app/");
    StageRecord stage = new StageRecord("arn:aws:ivs:" + region + ":" + accountId + ":stage/" + id, id,
        ++sequence, endpoints);
    stage.name = name == null ? "" : name;
    if (tags != null) {
      stage.tags.putAll(tags);
    }
    stage.recordingConfiguration = recordingConfiguration;
    stages.put(stage.arn, stage);
    List<TokenView> minted = new ArrayList<>();
    if (tokenRequests != null) {
      for (TokenRequest request : tokenRequests) {
        minted.add(mintToken(stage, request));
      }
    }
    return new StageCreated(view(stage), minted);
  }

  synchronized StageView getStage(String arn) {
    return view(stage(arn));
  }

  synchronized StageView updateStage(String arn, String name, JsonNode recordingConfiguration) {
    StageRecord stage = stage(arn);
    if (name != null) {
      stage.name = name;
    }
    if (recordingConfiguration != null) {
      stage.recordingConfiguration = recordingConfiguration;
    }
    return view(stage);
  }

  synchronized void deleteStage(String arn) {
    StageRecord stage = stage(arn);
    Instant now = now();
    replications.removeTouching(arn, now);
    if (stage.active != null) {
      for (ParticipantRecord participant : stage.active.participants.values()) {
        if (participant.connected) {
          disconnect(stage, participant, now);
        }
      }
      endSessionIfEmpty(stage, now);
    }
    stages.remove(arn);
  }

  synchronized Page<StageView> listStages(Long after, int limit) {
    return page(List.copyOf(stages.values()), s -> s.seq, after, limit, true, this::view);
  }

  /** ARNs of every stage, oldest first. */
  synchronized List<String> stageArns() {
    return List.copyOf(stages.keySet());
  }

  // ---- tokens and participants ----

  synchronized TokenView createParticipantToken(String stageArn, TokenRequest request) {
    return mintToken(stage(stageArn), request);
  }

  synchronized void disconnectParticipant(String stageArn, String participantId) {
    StageRecord stage = stage(stageArn);
    ParticipantRecord participant = stage.active == null ? null : stage.active.participants.get(participantId);
    boolean known = stage.issuedParticipantIds.contains(participantId) || participant != null
        || stage.sessions.stream().anyMatch(s -> s.participants.containsKey(participantId));
    if (!known) {
      throw IvsError.notFound("Participant " + participantId + " not found on stage " + stageArn);
    }
    stage.revoked.add(participantId);
    if (participant != null && participant.connected && !participant.isReplica()) {
      Instant now = now();
      disconnect(stage, participant, now);
      endSessionIfEmpty(stage, now);
    }
  }

  synchronized ParticipantView getParticipant(String stageArn, String sessionId, String participantId) {
    SessionRecord session = session(stageArn, sessionId);
    ParticipantRecord participant = session == null ? null : session.participants.get(participantId);
    if (participant == null) {
      throw IvsError.notFound("Participant " + participantId + " not found in session " + sessionId + " of stage "
          + stageArn);
    }
    return participant.view();
  }

  synchronized Page<ParticipantView> listParticipants(String stageArn, String sessionId, ParticipantFilter filter,
      Long after, int limit) {
    replications.expireLapsed(now());
    SessionRecord session = session(stageArn, sessionId);
    if (session == null) {
      return new Page<>(List.of(), null);
    }
    List<ParticipantRecord> matching = session.participants.values().stream()
        .filter(p -> filter.matches(p.view())).toList();
    return page(matching, p -> p.seq, after, limit, true, ParticipantRecord::view);
  }

  synchronized Page<EventView> listParticipantEvents(String stageArn, String sessionId, String participantId,
      Long after, int limit) {
    SessionRecord session = session(stageArn, sessionId);
    ParticipantRecord participant = session == null ? null : session.participants.get(participantId);
    if (participant == null) {
      return new Page<>(List.of(), null);
    }
    return page(List.copyOf(participant.events), e -> e.seq, after, limit, true, EventRecord::view);
  }

  synchronized Page<SessionView> listStageSessions(String stageArn, Long after, int limit) {
    StageRecord stage = stages.get(stageArn);
    if (stage == null) {
      return new Page<>(List.of(), null);
    }
    List<SessionRecord> newestFirst = new ArrayList<>(stage.sessions);
    newestFirst.sort(Comparator.comparingLong((SessionRecord s) -> s.seq).reversed());
    return page(newestFirst, s -> s.seq, after, limit, false, SessionRecord::view);
  }

  synchronized SessionView getStageSession(String stageArn, String sessionId) {
    SessionRecord session = session(stageArn, sessionId);
    if (session == null) {
      throw IvsError.notFound("Session " + sessionId + " not found for stage " + stageArn);
    }
    return session.view();
  }

  // ---- simulated clients ----

  EmulatedParticipant join(String token, boolean publish, String expectedStageArn) {
    // signatures are checked outside the lock: ES384 verification is slow, and joins come in crowds
    ParticipantTokens.Claims claims = tokens.verify(token, this::publicKeyFor, now());
    return join(claims, publish, expectedStageArn);
  }

  private synchronized EmulatedParticipant join(ParticipantTokens.Claims claims, boolean publish,
      String expectedStageArn) {
    Instant now = now();
    replications.expireLapsed(now);
    String resource = claims.stageArn();
    if (!resource.substring(resource.lastIndexOf('/') + 1).equals(claims.topic())) {
      throw new ParticipantRejectedException(Reason.WRONG_STAGE,
          "The token's 'topic' (" + claims.topic() + ") is not the id of its 'resource' (" + resource + ")");
    }
    if (expectedStageArn != null && !expectedStageArn.equals(resource)) {
      throw new ParticipantRejectedException(Reason.WRONG_STAGE,
          "The token is for stage " + resource + ", not " + expectedStageArn);
    }
    StageRecord stage = stages.get(resource);
    if (stage == null) {
      throw new ParticipantRejectedException(Reason.STAGE_NOT_FOUND, "Stage " + resource + " does not exist");
    }
    String participantId = claims.participantId();
    if (stage.revoked.contains(participantId)) {
      throw new ParticipantRejectedException(Reason.PARTICIPANT_DISCONNECTED,
          "Participant " + participantId + " was disconnected; its token can no longer be used");
    }
    if (publish && !claims.allowPublish()) {
      throw new ParticipantRejectedException(Reason.MISSING_CAPABILITY,
          "The token does not have the PUBLISH capability");
    }
    ParticipantRecord existing = stage.active == null ? null : stage.active.participants.get(participantId);
    if (existing != null && existing.isReplica()) {
      throw new ParticipantRejectedException(Reason.INVALID_TOKEN,
          "Participant " + participantId + " is replicated into this stage and cannot join it directly");
    }
    checkRoom(stage, participantId, publish);
    if (existing != null && existing.connected) {
      // IVS allows one connection per token: the newer connection wins, the older one leaves (token-reused)
      existing.event(EventName.LEFT, now);
      existing.connected = false;
    }
    SessionRecord session = activeSession(stage, now);
    ParticipantRecord participant = session.participants.get(participantId);
    if (participant == null) {
      participant = new ParticipantRecord(participantId, ++sequence, now);
      session.participants.put(participantId, participant);
    }
    participant.userId = claims.userId();
    participant.attributes = claims.attributes();
    participant.connected = true;
    participant.connections++;
    participant.publishing = publish;
    participant.event(EventName.JOINED, now);
    if (publish) {
      participant.published = true;
      participant.event(EventName.PUBLISH_STARTED, now);
    }
    replications.sourceRejoined(stage, participant, now);
    return participant.emulated(stage.arn, session.id);
  }

  synchronized boolean leave(String stageArn, String participantId) {
    StageRecord stage = stages.get(stageArn);
    ParticipantRecord participant = stage == null || stage.active == null ? null
        : stage.active.participants.get(participantId);
    if (participant == null || !participant.connected || participant.isReplica()) {
      return false;
    }
    Instant now = now();
    disconnect(stage, participant, now);
    endSessionIfEmpty(stage, now);
    return true;
  }

  synchronized EmulatedParticipant setPublishing(String stageArn, String participantId, boolean publishing) {
    StageRecord stage = stages.get(stageArn);
    ParticipantRecord participant = stage == null || stage.active == null ? null
        : stage.active.participants.get(participantId);
    if (participant == null || !participant.connected || participant.isReplica()) {
      throw new IllegalArgumentException("Participant " + participantId + " is not connected to " + stageArn);
    }
    if (publishing == participant.publishing) {
      return participant.emulated(stageArn, stage.active.id);
    }
    Instant now = now();
    if (publishing) {
      checkRoom(stage, participantId, true);
      participant.publishing = true;
      participant.published = true;
      participant.event(EventName.PUBLISH_STARTED, now);
    } else {
      participant.publishing = false;
      participant.event(EventName.PUBLISH_STOPPED, now);
    }
    return participant.emulated(stageArn, stage.active.id);
  }

  /** Participants connected to a stage now (replicas included), in join order. */
  synchronized List<EmulatedParticipant> connectedParticipants(String stageArn) {
    StageRecord stage = stages.get(stageArn);
    if (stage == null || stage.active == null) {
      return List.of();
    }
    return stage.active.participants.values().stream().filter(p -> p.connected)
        .map(p -> p.emulated(stage.arn, stage.active.id)).toList();
  }

  // ---- public keys ----

  synchronized KeyView importPublicKey(String material, String name, Map<String, String> tags) {
    ECPublicKey key = PublicKeys.parse(material);
    String fingerprint = PublicKeys.fingerprint(key);
    if (keys.size() >= quotas.publicKeys()) {
      throw IvsError.quotaExceeded("Public key quota exceeded: the account has " + keys.size() + " of at most "
          + quotas.publicKeys() + " public keys in " + region);
    }
    for (KeyRecord existing : keys.values()) {
      if (existing.fingerprint.equals(fingerprint)) {
        throw IvsError.conflict("This public key is already imported as " + existing.arn);
      }
    }
    String id = randomId(12);
    KeyRecord record = new KeyRecord("arn:aws:ivs:" + region + ":" + accountId + ":public-key/" + id, ++sequence,
        name == null ? "" : name, material, fingerprint, key);
    if (tags != null) {
      record.tags.putAll(tags);
    }
    keys.put(record.arn, record);
    return record.view();
  }

  synchronized KeyView getPublicKey(String arn) {
    return key(arn).view();
  }

  synchronized Page<KeyView> listPublicKeys(Long after, int limit) {
    return page(List.copyOf(keys.values()), k -> k.seq, after, limit, true, KeyRecord::view);
  }

  synchronized void deletePublicKey(String arn) {
    key(arn);
    keys.remove(arn);
  }

  private synchronized ECPublicKey publicKeyFor(String arn) {
    KeyRecord record = keys.get(arn);
    return record == null ? null : record.key;
  }

  // ---- replication ----

  synchronized void startReplication(String sourceStageArn, String destinationStageArn, String participantId,
      int reconnectWindowSeconds, Map<String, String> attributes) {
    Instant now = now();
    replications.expireLapsed(now);
    if (sourceStageArn.equals(destinationStageArn)) {
      throw IvsError.validation("The source and destination stages must be different");
    }
    replications.start(stage(sourceStageArn), stage(destinationStageArn), participantId, reconnectWindowSeconds,
        attributes, now);
  }

  synchronized void stopReplication(String sourceStageArn, String destinationStageArn, String participantId) {
    stage(sourceStageArn);
    stage(destinationStageArn);
    replications.stop(sourceStageArn, destinationStageArn, participantId, now());
  }

  synchronized Page<ReplicaView> listReplicas(String sourceStageArn, String participantId, Long after, int limit) {
    replications.expireLapsed(now());
    return replications.list(sourceStageArn, participantId, after, limit);
  }

  // ---- tags ----

  synchronized Map<String, String> tags(String resourceArn) {
    return Map.copyOf(taggable(resourceArn));
  }

  synchronized void tag(String resourceArn, Map<String, String> tags) {
    Map<String, String> existing = taggable(resourceArn);
    Map<String, String> merged = new LinkedHashMap<>(existing);
    merged.putAll(tags);
    RequestFields.checkTags(merged, "tags");
    existing.putAll(tags);
  }

  synchronized void untag(String resourceArn, List<String> tagKeys) {
    taggable(resourceArn).keySet().removeAll(tagKeys);
  }

  private Map<String, String> taggable(String resourceArn) {
    StageRecord stage = stages.get(resourceArn);
    if (stage != null) {
      return stage.tags;
    }
    KeyRecord key = keys.get(resourceArn);
    if (key != null) {
      return key.tags;
    }
    throw IvsError.notFound("Resource " + resourceArn + " not found");
  }

  /** Forgets every resource. */
  synchronized void clear() {
    stages.clear();
    keys.clear();
    replications.clear();
  }

  // ---- internals ----

  private TokenView mintToken(StageRecord stage, TokenRequest request) {
    Instant now = now();
    int duration = request.duration() == null ? 720 : request.duration();
    List<String> capabilities = request.capabilities() == null ? List.of("PUBLISH", "SUBSCRIBE")
        : List.copyOf(new java.util.LinkedHashSet<>(request.capabilities()));
    String participantId = randomId(12);
    Instant expires = now.plus(duration, ChronoUnit.MINUTES);
    Map<String, String> attributes = request.attributes() == null ? Map.of() : request.attributes();
    String token = tokens.mint(participantId, stage.arn, request.userId(), attributes,
        capabilities.contains("PUBLISH"), capabilities.contains("SUBSCRIBE"), now, expires, stage.endpoints.events(),
        stage.endpoints.whip());
    stage.issuedParticipantIds.add(participantId);
    return new TokenView(participantId, token, request.userId(), attributes, duration, capabilities, expires);
  }

  private void checkRoom(StageRecord stage, String participantId, boolean publish) {
    if (publish) {
      if (publishers(stage, participantId) >= quotas.publishersPerStage()) {
        throw new ParticipantRejectedException(Reason.QUOTA_EXCEEDED,
            "Stage " + stage.arn + " already has " + quotas.publishersPerStage() + " publishers");
      }
    } else if (count(stage, participantId, p -> !p.publishing && !p.isReplica()) >= quotas.subscribersPerStage()) {
      throw new ParticipantRejectedException(Reason.QUOTA_EXCEEDED,
          "Stage " + stage.arn + " already has " + quotas.subscribersPerStage() + " subscribers");
    }
  }

  int publishers(StageRecord stage, String exceptParticipantId) {
    return count(stage, exceptParticipantId, p -> p.publishing || p.isReplica());
  }

  private static int count(StageRecord stage, String exceptParticipantId, Predicate<ParticipantRecord> predicate) {
    if (stage.active == null) {
      return 0;
    }
    int n = 0;
    for (ParticipantRecord p : stage.active.participants.values()) {
      if (p.connected && !p.id.equals(exceptParticipantId) && predicate.test(p)) {
        n++;
      }
    }
    return n;
  }

  SessionRecord activeSession(StageRecord stage, Instant now) {
    if (stage.active == null) {
      stage.active = new SessionRecord("st-" + randomId(13), ++sequence, now);
      stage.sessions.add(stage.active);
    }
    return stage.active;
  }

  void endSessionIfEmpty(StageRecord stage, Instant now) {
    if (stage.active != null && stage.active.participants.values().stream().noneMatch(p -> p.connected)) {
      stage.active.end = now;
      stage.active = null;
    }
  }

  /** Takes a participant off its stage; a replication source's replicas leave their stages with it. */
  private void disconnect(StageRecord stage, ParticipantRecord participant, Instant now) {
    participant.connected = false;
    if (participant.publishing) {
      participant.event(EventName.PUBLISH_STOPPED, now);
    }
    participant.publishing = false;
    participant.event(EventName.LEFT, now);
    replications.sourceLeft(stage, participant, now);
  }

  /** The stage with this ARN, or null. */
  StageRecord findStage(String arn) {
    return stages.get(arn);
  }

  /** A new participant record, numbered in this region's sequence. */
  ParticipantRecord newParticipant(String id, Instant now) {
    return new ParticipantRecord(id, ++sequence, now);
  }

  long nextSequence() {
    return ++sequence;
  }

  private StageRecord stage(String arn) {
    StageRecord stage = stages.get(arn);
    if (stage == null) {
      throw IvsError.notFound("Stage " + arn + " not found");
    }
    return stage;
  }

  private KeyRecord key(String arn) {
    KeyRecord key = keys.get(arn);
    if (key == null) {
      throw IvsError.notFound("Public key " + arn + " not found");
    }
    return key;
  }

  private SessionRecord session(String stageArn, String sessionId) {
    StageRecord stage = stages.get(stageArn);
    if (stage == null) {
      return null;
    }
    return stage.sessions.stream().filter(s -> s.id.equals(sessionId)).findFirst().orElse(null);
  }

  private StageView view(StageRecord stage) {
    return new StageView(stage.arn, stage.name, stage.active == null ? null : stage.active.id,
        Map.copyOf(stage.tags), stage.endpoints, stage.recordingConfiguration);
  }

  static <R, V> Page<V> page(List<R> ordered, ToLongFunction<R> seqOf, Long after, int limit,
      boolean ascending, java.util.function.Function<R, V> view) {
    List<V> items = new ArrayList<>();
    Long last = null;
    boolean more = false;
    for (R record : ordered) {
      long seq = seqOf.applyAsLong(record);
      if (after != null && (ascending ? seq <= after : seq >= after)) {
        continue;
      }
      if (items.size() == limit) {
        more = true;
        break;
      }
      items.add(view.apply(record));
      last = seq;
    }
    return new Page<>(items, more ? last : null);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private String randomId(int length) {
    StringBuilder id = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      id.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
    }
    return id.toString();
  }

  // ---- mutable records, only touched under the lock (here and in Replications) ----

  static final class StageRecord {
    final String arn;
    final String id;
    final long seq;
    final Endpoints endpoints;
    final Map<String, String> tags = new LinkedHashMap<>();
    final List<SessionRecord> sessions = new ArrayList<>();
    final Set<String> issuedParticipantIds = new HashSet<>();
    final Set<String> revoked = new HashSet<>();
    String name;
    JsonNode recordingConfiguration;
    SessionRecord active;

    StageRecord(String arn, String id, long seq, Endpoints endpoints) {
      this.arn = arn;
      this.id = id;
      this.seq = seq;
      this.endpoints = endpoints;
    }
  }

  static final class SessionRecord {
    final String id;
    final long seq;
    final Instant start;
    final Map<String, ParticipantRecord> participants = new LinkedHashMap<>();
    Instant end;

    SessionRecord(String id, long seq, Instant start) {
      this.id = id;
      this.seq = seq;
      this.start = start;
    }

    SessionView view() {
      return new SessionView(id, start, end);
    }
  }

  final class ParticipantRecord {
    final String id;
    final long seq;
    final Instant firstJoin;
    final List<EventRecord> events = new ArrayList<>();
    String userId;
    Map<String, String> attributes = Map.of();
    boolean connected;
    boolean publishing;
    boolean published;
    int connections;
    ReplicationType replicationType = ReplicationType.NONE;
    ReplicationState replicationState;
    String sourceStageArn;
    String sourceSessionId;

    ParticipantRecord(String id, long seq, Instant firstJoin) {
      this.id = id;
      this.seq = seq;
      this.firstJoin = firstJoin;
    }

    boolean isReplica() {
      return replicationType == ReplicationType.REPLICA;
    }

    void event(EventName name, Instant time) {
      event(name, time, null, null, null);
    }

    void event(EventName name, Instant time, String destinationStageArn, String destinationSessionId, Boolean replica) {
      events.add(new EventRecord(++sequence, name, id, time, destinationStageArn, destinationSessionId, replica));
    }

    ParticipantView view() {
      return new ParticipantView(id, userId, connected ? ParticipantState.CONNECTED : ParticipantState.DISCONNECTED, firstJoin,
          Map.copyOf(attributes), published, replicationType, replicationState, sourceStageArn, sourceSessionId);
    }

    EmulatedParticipant emulated(String stageArn, String sessionId) {
      return new EmulatedParticipant(id, stageArn, sessionId, userId, publishing);
    }
  }

  private record EventRecord(long seq, EventName name, String participantId, Instant time, String destinationStageArn,
      String destinationSessionId, Boolean replica) {
    EventView view() {
      return new EventView(name, participantId, time, destinationStageArn, destinationSessionId, replica);
    }
  }

  private static final class KeyRecord {
    final String arn;
    final long seq;
    final String name;
    final String material;
    final String fingerprint;
    final ECPublicKey key;
    final Map<String, String> tags = new LinkedHashMap<>();

    KeyRecord(String arn, long seq, String name, String material, String fingerprint, ECPublicKey key) {
      this.arn = arn;
      this.seq = seq;
      this.name = name;
      this.material = material;
      this.fingerprint = fingerprint;
      this.key = key;
    }

    KeyView view() {
      return new KeyView(arn, name, material, fingerprint, Map.copyOf(tags));
    }
  }
}
