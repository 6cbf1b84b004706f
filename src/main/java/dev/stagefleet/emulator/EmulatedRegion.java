package dev.stagefleet.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stagefleet.emulator.ParticipantRejectedException.Reason;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
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
 * keys, replications and tags. Every method is atomic (one lock); failures are {@link IvsError}s as IVS reports them,
 * or {@link ParticipantRejectedException} for joins.
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
  private final List<ReplicationRecord> replications = new ArrayList<>();
  private long sequence;

  EmulatedRegion(String region, String accountId, Clock clock, EmulatorQuotas quotas, ParticipantTokens tokens) {
    this.region = region;
    this.accountId = accountId;
    this.clock = clock;
    this.quotas = quotas;
    this.tokens = tokens;
  }

  // ---- views handed to the wire layer (immutable snapshots) ----

  record Endpoints(String events, String whip, String rtmp, String rtmps) {
  }

  record StageView(String arn, String name, String activeSessionId, Map<String, String> tags, Endpoints endpoints,
      JsonNode recordingConfiguration) {
  }

  record TokenRequest(Integer duration, String userId, Map<String, String> attributes, List<String> capabilities) {
  }

  record TokenView(String participantId, String token, String userId, Map<String, String> attributes, int duration,
      List<String> capabilities, Instant expirationTime) {
  }

  record StageCreated(StageView stage, List<TokenView> participantTokens) {
  }

  record SessionView(String sessionId, Instant startTime, Instant endTime) {
  }

  record ParticipantView(String participantId, String userId, String state, Instant firstJoinTime,
      Map<String, String> attributes, boolean published, String replicationType, String replicationState,
      String sourceStageArn, String sourceSessionId) {
  }

  record EventView(String name, String participantId, Instant eventTime, String destinationStageArn,
      String destinationSessionId, Boolean replica) {
  }

  record KeyView(String arn, String name, String publicKeyMaterial, String fingerprint, Map<String, String> tags) {
  }

  record ReplicaView(String sourceStageArn, String participantId, String sourceSessionId, String destinationStageArn,
      String destinationSessionId, String replicationState) {
  }

  /** One page of a list: the items, and the sequence number to continue after when there are more. */
  record Page<T>(List<T> items, Long continueAfter) {
  }

  /** At most one filter of ListParticipants. */
  record ParticipantFilter(String state, Boolean published, String userId, String recordingState) {
    boolean matches(ParticipantView p) {
      return (state == null || state.equals(p.state()))
          && (published == null || published == p.published())
          && (userId == null || userId.equals(p.userId()))
          // nobody is recorded here: every participant's recordingState is DISABLED, which no filter value names
          && recordingState == null;
    }
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
    for (ReplicationRecord replication : List.copyOf(replications)) {
      if (replication.sourceStageArn.equals(arn) || replication.destinationStageArn.equals(arn)) {
        removeReplication(replication, now);
      }
    }
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
    expireLapsedReplications(now());
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
    expireLapsedReplications(now);
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
      existing.event("LEFT", now);
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
    participant.event("JOINED", now);
    if (publish) {
      participant.published = true;
      participant.event("PUBLISH_STARTED", now);
    }
    reconnectReplicas(stage, participant, now);
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
      participant.event("PUBLISH_STARTED", now);
    } else {
      participant.publishing = false;
      participant.event("PUBLISH_STOPPED", now);
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
    ECPublicKey key = parsePublicKey(material);
    String fingerprint = fingerprint(key);
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
    expireLapsedReplications(now);
    if (sourceStageArn.equals(destinationStageArn)) {
      throw IvsError.validation("The source and destination stages must be different");
    }
    StageRecord source = stage(sourceStageArn);
    StageRecord destination = stage(destinationStageArn);
    ParticipantRecord participant = source.active == null ? null : source.active.participants.get(participantId);
    if (participant == null || !participant.connected) {
      throw IvsError.notFound("Participant " + participantId + " is not connected to stage " + sourceStageArn);
    }
    if (participant.isReplica()) {
      throw IvsError.validation("Participant " + participantId + " is itself a replica and cannot be replicated");
    }
    if (!participant.publishing) {
      throw IvsError.validation("Participant " + participantId + " is not publishing; only publishers can be "
          + "replicated");
    }
    for (ReplicationRecord replication : replications) {
      if (replication.matches(sourceStageArn, destinationStageArn, participantId)
          && replication.state.equals("ACTIVE")) {
        throw IvsError.conflict("Participant " + participantId + " is already replicated into "
            + destinationStageArn);
      }
    }
    long active = replications.stream()
        .filter(r -> r.participantId.equals(participantId) && r.state.equals("ACTIVE")).count();
    if (active >= quotas.replicationsPerParticipant()) {
      throw IvsError.quotaExceeded("Participant replication quota exceeded: " + participantId + " already has "
          + active + " of at most " + quotas.replicationsPerParticipant() + " concurrent replications");
    }
    if (publishers(destination, participantId) >= quotas.publishersPerStage()) {
      throw IvsError.quotaExceeded("Stage " + destinationStageArn + " already has " + quotas.publishersPerStage()
          + " publishers");
    }
    replications.removeIf(r -> r.matches(sourceStageArn, destinationStageArn, participantId));
    ReplicationRecord replication = new ReplicationRecord(sourceStageArn, destinationStageArn, participantId,
        ++sequence, reconnectWindowSeconds);
    replication.sourceSessionId = source.active.id;
    replications.add(replication);
    participant.replicationType = "SOURCE";
    participant.replicationState = "ACTIVE";
    connectReplica(replication, participant, attributes, now);
  }

  synchronized void stopReplication(String sourceStageArn, String destinationStageArn, String participantId) {
    stage(sourceStageArn);
    stage(destinationStageArn);
    ReplicationRecord replication = replications.stream()
        .filter(r -> r.matches(sourceStageArn, destinationStageArn, participantId)).findFirst()
        .orElseThrow(() -> IvsError.notFound("No replication of participant " + participantId + " from "
            + sourceStageArn + " to " + destinationStageArn));
    removeReplication(replication, now());
  }

  synchronized Page<ReplicaView> listReplicas(String sourceStageArn, String participantId, Long after, int limit) {
    expireLapsedReplications(now());
    List<ReplicationRecord> matching = replications.stream()
        .filter(r -> r.sourceStageArn.equals(sourceStageArn) && r.participantId.equals(participantId)).toList();
    return page(matching, r -> r.seq, after, limit, true, ReplicationRecord::view);
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

  private int publishers(StageRecord stage, String exceptParticipantId) {
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

  private SessionRecord activeSession(StageRecord stage, Instant now) {
    if (stage.active == null) {
      stage.active = new SessionRecord("st-" + randomId(13), ++sequence, now);
      stage.sessions.add(stage.active);
    }
    return stage.active;
  }

  private void endSessionIfEmpty(StageRecord stage, Instant now) {
    if (stage.active != null && stage.active.participants.values().stream().noneMatch(p -> p.connected)) {
      stage.active.end = now;
      stage.active = null;
    }
  }

  /** Takes a participant off its stage; a replication source's replicas leave their stages with it. */
  private void disconnect(StageRecord stage, ParticipantRecord participant, Instant now) {
    participant.connected = false;
    if (participant.publishing) {
      participant.event("PUBLISH_STOPPED", now);
    }
    participant.publishing = false;
    participant.event("LEFT", now);
    for (ReplicationRecord replication : replications) {
      if (replication.sourceStageArn.equals(stage.arn) && replication.participantId.equals(participant.id)
          && replication.state.equals("ACTIVE") && replication.lapsesAt == null) {
        disconnectReplica(replication, now);
        if (replication.reconnectWindowSeconds == 0) {
          replication.state = "STOPPED";
        } else {
          replication.lapsesAt = now.plusSeconds(replication.reconnectWindowSeconds);
        }
      }
    }
  }

  private void reconnectReplicas(StageRecord stage, ParticipantRecord participant, Instant now) {
    for (ReplicationRecord replication : replications) {
      if (replication.sourceStageArn.equals(stage.arn) && replication.participantId.equals(participant.id)
          && replication.state.equals("ACTIVE") && replication.lapsesAt != null) {
        replication.lapsesAt = null;
        replication.sourceSessionId = stage.active.id;
        participant.replicationType = "SOURCE";
        participant.replicationState = "ACTIVE";
        if (participant.publishing) {
          connectReplica(replication, participant, null, now);
        }
      }
    }
  }

  private void connectReplica(ReplicationRecord replication, ParticipantRecord source, Map<String, String> attributes,
      Instant now) {
    StageRecord destination = stages.get(replication.destinationStageArn);
    SessionRecord session = activeSession(destination, now);
    ParticipantRecord replica = session.participants.get(source.id);
    if (replica == null) {
      replica = new ParticipantRecord(source.id, ++sequence, now);
      session.participants.put(source.id, replica);
    }
    replica.userId = source.userId;
    Map<String, String> merged = new LinkedHashMap<>(source.attributes);
    if (attributes != null) {
      merged.putAll(attributes);
    }
    replica.attributes = merged;
    replica.connected = true;
    replica.publishing = true;
    replica.published = true;
    replica.replicationType = "REPLICA";
    replica.replicationState = "ACTIVE";
    replica.sourceStageArn = replication.sourceStageArn;
    replica.sourceSessionId = replication.sourceSessionId;
    replica.event("JOINED", now, null, null, true);
    replication.destinationSessionId = session.id;
    source.event("REPLICATION_STARTED", now, destination.arn, session.id, null);
  }

  private void disconnectReplica(ReplicationRecord replication, Instant now) {
    StageRecord destination = stages.get(replication.destinationStageArn);
    if (destination == null || destination.active == null) {
      return;
    }
    ParticipantRecord replica = destination.active.participants.get(replication.participantId);
    if (replica != null && replica.isReplica() && replica.connected) {
      replica.connected = false;
      replica.publishing = false;
      replica.replicationState = "STOPPED";
      replica.event("LEFT", now, null, null, true);
      endSessionIfEmpty(destination, now);
    }
  }

  private void removeReplication(ReplicationRecord replication, Instant now) {
    disconnectReplica(replication, now);
    replications.remove(replication);
    StageRecord source = stages.get(replication.sourceStageArn);
    if (source != null && source.active != null) {
      ParticipantRecord participant = source.active.participants.get(replication.participantId);
      if (participant != null) {
        participant.event("REPLICATION_STOPPED", now, replication.destinationStageArn,
            replication.destinationSessionId, null);
        boolean stillReplicated = replications.stream().anyMatch(r -> r.sourceStageArn.equals(source.arn)
            && r.participantId.equals(participant.id) && r.state.equals("ACTIVE"));
        if (!stillReplicated) {
          participant.replicationState = "STOPPED";
        }
      }
    }
  }

  private void expireLapsedReplications(Instant now) {
    for (ReplicationRecord replication : replications) {
      if (replication.state.equals("ACTIVE") && replication.lapsesAt != null && !now.isBefore(replication.lapsesAt)) {
        replication.state = "STOPPED";
      }
    }
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

  private static <R, V> Page<V> page(List<R> ordered, ToLongFunction<R> seqOf, Long after, int limit,
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

  static ECPublicKey parsePublicKey(String pem) {
    String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    if (!pem.contains("-----BEGIN PUBLIC KEY-----") || body.isEmpty()) {
      throw IvsError.validation("publicKeyMaterial must be a PEM-encoded public key "
          + "(-----BEGIN PUBLIC KEY-----)");
    }
    PublicKey key;
    try {
      key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw IvsError.validation("publicKeyMaterial is not a valid EC public key: it must be an ECDSA P-384 key "
          + "in PEM (SubjectPublicKeyInfo) form");
    }
    if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 384) {
      throw IvsError.validation("publicKeyMaterial must be an ECDSA P-384 (secp384r1) public key");
    }
    return ec;
  }

  private static String fingerprint(ECPublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      StringBuilder hex = new StringBuilder();
      for (byte b : digest) {
        if (hex.length() > 0) {
          hex.append(':');
        }
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  // ---- mutable records, only touched under the lock ----

  private static final class StageRecord {
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

  private static final class SessionRecord {
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

  private final class ParticipantRecord {
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
    String replicationType = "NONE";
    String replicationState;
    String sourceStageArn;
    String sourceSessionId;

    ParticipantRecord(String id, long seq, Instant firstJoin) {
      this.id = id;
      this.seq = seq;
      this.firstJoin = firstJoin;
    }

    boolean isReplica() {
      return "REPLICA".equals(replicationType);
    }

    void event(String name, Instant time) {
      event(name, time, null, null, null);
    }

    void event(String name, Instant time, String destinationStageArn, String destinationSessionId, Boolean replica) {
      events.add(new EventRecord(++sequence, name, id, time, destinationStageArn, destinationSessionId, replica));
    }

    ParticipantView view() {
      return new ParticipantView(id, userId, connected ? "CONNECTED" : "DISCONNECTED", firstJoin,
          Map.copyOf(attributes), published, replicationType, replicationState, sourceStageArn, sourceSessionId);
    }

    EmulatedParticipant emulated(String stageArn, String sessionId) {
      return new EmulatedParticipant(id, stageArn, sessionId, userId, publishing);
    }
  }

  private record EventRecord(long seq, String name, String participantId, Instant time, String destinationStageArn,
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

  private static final class ReplicationRecord {
    final String sourceStageArn;
    final String destinationStageArn;
    final String participantId;
    final long seq;
    final int reconnectWindowSeconds;
    String sourceSessionId;
    String destinationSessionId;
    String state = "ACTIVE";
    Instant lapsesAt;

    ReplicationRecord(String sourceStageArn, String destinationStageArn, String participantId, long seq,
        int reconnectWindowSeconds) {
      this.sourceStageArn = sourceStageArn;
      this.destinationStageArn = destinationStageArn;
      this.participantId = participantId;
      this.seq = seq;
      this.reconnectWindowSeconds = reconnectWindowSeconds;
    }

    boolean matches(String source, String destination, String participant) {
      return sourceStageArn.equals(source) && destinationStageArn.equals(destination)
          && participantId.equals(participant);
    }

    ReplicaView view() {
      return new ReplicaView(sourceStageArn, participantId, sourceSessionId, destinationStageArn,
          destinationSessionId, state);
    }
  }
}
