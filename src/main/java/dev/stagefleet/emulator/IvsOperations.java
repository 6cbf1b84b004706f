package dev.stagefleet.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stagefleet.emulator.EmulatorViews.EventView;
import dev.stagefleet.emulator.EmulatorViews.KeyView;
import dev.stagefleet.emulator.EmulatorViews.Page;
import dev.stagefleet.emulator.EmulatorViews.ParticipantFilter;
import dev.stagefleet.emulator.EmulatorViews.ParticipantState;
import dev.stagefleet.emulator.EmulatorViews.ParticipantView;
import dev.stagefleet.emulator.EmulatorViews.ReplicaView;
import dev.stagefleet.emulator.EmulatorViews.SessionView;
import dev.stagefleet.emulator.EmulatorViews.StageView;
import dev.stagefleet.emulator.EmulatorViews.TokenRequest;
import dev.stagefleet.emulator.EmulatorViews.TokenView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * IVS real-time's operations on the wire: each reads a request body as the service model defines it, validates it,
 * acts on the {@link EmulatedRegion} and renders the response body the AWS SDKs expect.
 */
final class IvsOperations {
  /** A storage configuration's ARN, or "": the empty string is how a stage's recording is turned off. */
  private static final Pattern STORAGE_CONFIGURATION_ARN =
      Pattern.compile("^$|^arn:aws:ivs:[a-z0-9-]+:[0-9]+:storage-configuration/[a-zA-Z0-9-]+$");
  private static final Pattern PUBLIC_KEY_MATERIAL = Pattern.compile(
      ".*-----BEGIN PUBLIC KEY-----\\r?\\n([a-zA-Z0-9+/=\\r\\n]+)\\r?\\n-----END PUBLIC KEY-----(\\r?\\n)?.*");
  private static final Set<String> CAPABILITIES = Set.of("PUBLISH", "SUBSCRIBE");
  private static final Set<String> PARTICIPANT_STATES = java.util.Arrays.stream(ParticipantState.values()).map(Enum::name)
      .collect(java.util.stream.Collectors.toUnmodifiableSet());
  /** ParticipantRecordingFilterByRecordingState: a participant's recording states, less DISABLED. */
  private static final Set<String> RECORDING_FILTER_STATES = Set.of("STARTING", "ACTIVE", "STOPPING", "STOPPED",
      "FAILED");
  private static final Set<String> RECORDING_MEDIA_TYPES = Set.of("AUDIO_VIDEO", "AUDIO_ONLY", "NONE");
  private static final Set<String> THUMBNAIL_STORAGE = Set.of("SEQUENTIAL", "LATEST");
  private static final Set<String> THUMBNAIL_RECORDING_MODES = Set.of("INTERVAL", "DISABLED");

  private final EmulatedRegion region;
  private final ObjectMapper json;
  private final Map<String, Function<RequestFields, ObjectNode>> operations = new TreeMap<>();

  IvsOperations(EmulatedRegion region, ObjectMapper json) {
    this.region = region;
    this.json = json;
    operations.put("CreateStage", this::createStage);
    operations.put("GetStage", this::getStage);
    operations.put("UpdateStage", this::updateStage);
    operations.put("DeleteStage", this::deleteStage);
    operations.put("ListStages", this::listStages);
    operations.put("CreateParticipantToken", this::createParticipantToken);
    operations.put("DisconnectParticipant", this::disconnectParticipant);
    operations.put("GetParticipant", this::getParticipant);
    operations.put("ListParticipants", this::listParticipants);
    operations.put("ListParticipantEvents", this::listParticipantEvents);
    operations.put("ListStageSessions", this::listStageSessions);
    operations.put("GetStageSession", this::getStageSession);
    operations.put("ImportPublicKey", this::importPublicKey);
    operations.put("GetPublicKey", this::getPublicKey);
    operations.put("ListPublicKeys", this::listPublicKeys);
    operations.put("DeletePublicKey", this::deletePublicKey);
    operations.put("StartParticipantReplication", this::startParticipantReplication);
    operations.put("StopParticipantReplication", this::stopParticipantReplication);
    operations.put("ListParticipantReplicas", this::listParticipantReplicas);
  }

  /** The {@code POST /<Operation>} operations this emulator serves. */
  Set<String> postOperations() {
    return operations.keySet();
  }

  /** Runs one {@code POST /<Operation>} operation. */
  ObjectNode invoke(String operation, RequestFields request) {
    Function<RequestFields, ObjectNode> handler = operations.get(operation);
    if (handler == null) {
      throw IvsError.unknownOperation("Unknown operation " + operation);
    }
    return handler.apply(request);
  }

  // ---- stages ----

  private ObjectNode createStage(RequestFields request) {
    String name = request.optionalString("name", 0, 128, RequestFields.NAME);
    Map<String, String> tags = request.optionalTags("tags");
    List<TokenRequest> tokenRequests = null;
    List<RequestFields> configurations = request.optionalStructureList("participantTokenConfigurations", 12);
    if (configurations != null) {
      tokenRequests = new ArrayList<>();
      for (RequestFields configuration : configurations) {
        tokenRequests.add(tokenRequest(configuration));
      }
    }
    JsonNode recording = recordingConfiguration(request);
    EmulatorViews.StageCreated created = region.createStage(name, tags, tokenRequests, recording);
    ObjectNode response = json.createObjectNode();
    response.set("stage", stage(created.stage()));
    ArrayNode tokens = response.putArray("participantTokens");
    created.participantTokens().forEach(token -> tokens.add(token(token)));
    return response;
  }

  private ObjectNode getStage(RequestFields request) {
    StageView stage = region.getStage(stageArn(request, "arn"));
    ObjectNode response = json.createObjectNode();
    response.set("stage", stage(stage));
    return response;
  }

  private ObjectNode updateStage(RequestFields request) {
    String arn = stageArn(request, "arn");
    String name = request.optionalString("name", 0, 128, RequestFields.NAME);
    JsonNode recording = recordingConfiguration(request);
    ObjectNode response = json.createObjectNode();
    response.set("stage", stage(region.updateStage(arn, name, recording)));
    return response;
  }

  private ObjectNode deleteStage(RequestFields request) {
    region.deleteStage(stageArn(request, "arn"));
    return json.createObjectNode();
  }

  private ObjectNode listStages(RequestFields request) {
    int maxResults = request.maxResults(100, 50);
    Long after = PageTokens.decode("ListStages", nextToken(request));
    Page<StageView> page = region.listStages(after, maxResults);
    ObjectNode response = json.createObjectNode();
    ArrayNode stages = response.putArray("stages");
    for (StageView stage : page.items()) {
      ObjectNode summary = stages.addObject().put("arn", stage.arn()).put("name", stage.name());
      if (stage.activeSessionId() != null) {
        summary.put("activeSessionId", stage.activeSessionId());
      }
      summary.set("tags", map(stage.tags()));
    }
    return withNextToken(response, "ListStages", page);
  }

  // ---- tokens and participants ----

  private ObjectNode createParticipantToken(RequestFields request) {
    String stageArn = stageArn(request, "stageArn");
    TokenRequest tokenRequest = tokenRequest(request);
    ObjectNode response = json.createObjectNode();
    response.set("participantToken", token(region.createParticipantToken(stageArn, tokenRequest)));
    return response;
  }

  private ObjectNode disconnectParticipant(RequestFields request) {
    String stageArn = stageArn(request, "stageArn");
    // a token's id, which may hold '_', unlike the ids of participants the other operations take
    String participantId = request.requiredString("participantId", 0, 64, RequestFields.PARTICIPANT_TOKEN_ID);
    request.optionalString("reason", 0, 128, null);
    region.disconnectParticipant(stageArn, participantId);
    return json.createObjectNode();
  }

  private ObjectNode getParticipant(RequestFields request) {
    String stageArn = stageArn(request, "stageArn");
    String sessionId = sessionId(request);
    String participantId = participantId(request);
    ParticipantView participant = region.getParticipant(stageArn, sessionId, participantId);
    ObjectNode response = json.createObjectNode();
    ObjectNode node = participant(participant);
    node.set("attributes", map(participant.attributes()));
    node.put("protocol", "WHIP");
    response.set("participant", node);
    return response;
  }

  private ObjectNode listParticipants(RequestFields request) {
    String stageArn = stageArn(request, "stageArn");
    String sessionId = sessionId(request);
    String state = request.optionalEnum("filterByState", PARTICIPANT_STATES);
    Boolean published = request.optionalBoolean("filterByPublished");
    String userId = request.optionalString("filterByUserId", 0, 128, null);
    String recordingState = request.optionalEnum("filterByRecordingState", RECORDING_FILTER_STATES);
    long filters = java.util.stream.Stream.of(state, published, userId, recordingState)
        .filter(java.util.Objects::nonNull).count();
    if (filters > 1) {
      throw IvsError.validation("Only one of filterByUserId, filterByPublished, filterByState or "
          + "filterByRecordingState can be provided per request");
    }
    int maxResults = request.maxResults(100, 50);
    String scope = "ListParticipants|" + stageArn + "|" + sessionId;
    Page<ParticipantView> page = region.listParticipants(stageArn, sessionId,
        new ParticipantFilter(state == null ? null : ParticipantState.valueOf(state), published, userId, recordingState),
        PageTokens.decode(scope, nextToken(request)), maxResults);
    ObjectNode response = json.createObjectNode();
    ArrayNode participants = response.putArray("participants");
    page.items().forEach(participant -> participants.add(participant(participant)));
    return withNextToken(response, scope, page);
  }

  private ObjectNode listParticipantEvents(RequestFields request) {
    String stageArn = stageArn(request, "stageArn");
    String sessionId = sessionId(request);
    String participantId = participantId(request);
    int maxResults = request.maxResults(100, 50);
    String scope = "ListParticipantEvents|" + stageArn + "|" + sessionId + "|" + participantId;
    Page<EventView> page = region.listParticipantEvents(stageArn, sessionId, participantId,
        PageTokens.decode(scope, nextToken(request)), maxResults);
    ObjectNode response = json.createObjectNode();
    ArrayNode events = response.putArray("events");
    for (EventView event : page.items()) {
      ObjectNode node = events.addObject().put("name", event.name().name()).put("participantId", event.participantId())
          .put("eventTime", time(event.eventTime()));
      if (event.destinationStageArn() != null) {
        node.put("destinationStageArn", event.destinationStageArn());
        node.put("destinationSessionId", event.destinationSessionId());
      }
      if (event.replica() != null) {
        node.put("replica", event.replica());
      }
    }
    return withNextToken(response, scope, page);
  }

  private ObjectNode listStageSessions(RequestFields request) {
    String stageArn = stageArn(request, "stageArn");
    int maxResults = request.maxResults(100, 50);
    String scope = "ListStageSessions|" + stageArn;
    Page<SessionView> page = region.listStageSessions(stageArn, PageTokens.decode(scope, nextToken(request)),
        maxResults);
    ObjectNode response = json.createObjectNode();
    ArrayNode sessions = response.putArray("stageSessions");
    page.items().forEach(session -> sessions.add(session(session)));
    return withNextToken(response, scope, page);
  }

  private ObjectNode getStageSession(RequestFields request) {
    String stageArn = stageArn(request, "stageArn");
    SessionView session = region.getStageSession(stageArn, sessionId(request));
    ObjectNode response = json.createObjectNode();
    response.set("stageSession", session(session));
    return response;
  }

  // ---- public keys ----

  private ObjectNode importPublicKey(RequestFields request) {
    String material = request.requiredString("publicKeyMaterial", 0, Integer.MAX_VALUE, PUBLIC_KEY_MATERIAL);
    String name = request.optionalString("name", 0, 128, RequestFields.NAME);
    Map<String, String> tags = request.optionalTags("tags");
    ObjectNode response = json.createObjectNode();
    response.set("publicKey", publicKey(region.importPublicKey(material, name, tags)));
    return response;
  }

  private ObjectNode getPublicKey(RequestFields request) {
    String arn = request.requiredString("arn", 1, 128, RequestFields.PUBLIC_KEY_ARN);
    ObjectNode response = json.createObjectNode();
    response.set("publicKey", publicKey(region.getPublicKey(arn)));
    return response;
  }

  private ObjectNode listPublicKeys(RequestFields request) {
    int maxResults = request.maxResults(100, 50);
    Page<KeyView> page = region.listPublicKeys(PageTokens.decode("ListPublicKeys", nextToken(request)), maxResults);
    ObjectNode response = json.createObjectNode();
    ArrayNode keys = response.putArray("publicKeys");
    for (KeyView key : page.items()) {
      ObjectNode summary = keys.addObject().put("arn", key.arn()).put("name", key.name());
      summary.set("tags", map(key.tags()));
    }
    return withNextToken(response, "ListPublicKeys", page);
  }

  private ObjectNode deletePublicKey(RequestFields request) {
    region.deletePublicKey(request.requiredString("arn", 1, 128, RequestFields.PUBLIC_KEY_ARN));
    return json.createObjectNode();
  }

  // ---- replication ----

  private ObjectNode startParticipantReplication(RequestFields request) {
    String source = stageArn(request, "sourceStageArn");
    String destination = stageArn(request, "destinationStageArn");
    String participantId = participantId(request);
    Integer window = request.optionalInt("reconnectWindowSeconds", 0, 300);
    Map<String, String> attributes = request.optionalAttributes("attributes");
    region.startReplication(source, destination, participantId, window == null ? 0 : window, attributes);
    return json.createObjectNode();
  }

  private ObjectNode stopParticipantReplication(RequestFields request) {
    String source = stageArn(request, "sourceStageArn");
    String destination = stageArn(request, "destinationStageArn");
    String participantId = participantId(request);
    region.stopReplication(source, destination, participantId);
    return json.createObjectNode();
  }

  private ObjectNode listParticipantReplicas(RequestFields request) {
    String source = stageArn(request, "sourceStageArn");
    String participantId = participantId(request);
    int maxResults = request.maxResults(50, 50);
    String scope = "ListParticipantReplicas|" + source + "|" + participantId;
    Page<ReplicaView> page = region.listReplicas(source, participantId, PageTokens.decode(scope, nextToken(request)),
        maxResults);
    ObjectNode response = json.createObjectNode();
    ArrayNode replicas = response.putArray("replicas");
    for (ReplicaView replica : page.items()) {
      ObjectNode node = replicas.addObject().put("sourceStageArn", replica.sourceStageArn())
          .put("participantId", replica.participantId())
          .put("destinationStageArn", replica.destinationStageArn())
          .put("replicationState", replica.replicationState().name());
      putIfPresent(node, "sourceSessionId", replica.sourceSessionId());
      putIfPresent(node, "destinationSessionId", replica.destinationSessionId());
    }
    return withNextToken(response, scope, page);
  }

  // ---- tags (GET/POST/DELETE /tags/{resourceArn}) ----

  ObjectNode listTagsForResource(String resourceArn) {
    ObjectNode response = json.createObjectNode();
    response.set("tags", map(region.tags(resourceArn(resourceArn))));
    return response;
  }

  ObjectNode tagResource(String resourceArn, RequestFields request) {
    String arn = resourceArn(resourceArn);
    Map<String, String> tags = request.optionalTags("tags");
    if (tags == null) {
      throw RequestFields.violation("null", "tags", "Member must not be null");
    }
    region.tag(arn, tags);
    return json.createObjectNode();
  }

  ObjectNode untagResource(String resourceArn, List<String> tagKeys) {
    String arn = resourceArn(resourceArn);
    if (tagKeys == null || tagKeys.isEmpty()) {
      throw RequestFields.violation("null", "tagKeys", "Member must not be null");
    }
    if (tagKeys.size() > RequestFields.MAX_TAGS) {
      throw RequestFields.violation(tagKeys.size() + " items", "tagKeys",
          "Member must have length less than or equal to " + RequestFields.MAX_TAGS);
    }
    for (String key : tagKeys) {
      RequestFields.checkTagKey(key, "tagKeys.member");
    }
    region.untag(arn, tagKeys);
    return json.createObjectNode();
  }

  // ---- request helpers ----

  private static String stageArn(RequestFields request, String name) {
    return request.requiredString(name, 1, 128, RequestFields.STAGE_ARN);
  }

  private static String sessionId(RequestFields request) {
    return request.requiredString("sessionId", 16, 16, RequestFields.SESSION_ID);
  }

  private static String participantId(RequestFields request) {
    return request.requiredString("participantId", 0, 64, RequestFields.PARTICIPANT_ID);
  }

  private static String nextToken(RequestFields request) {
    return request.optionalString("nextToken", 0, 1024, null);
  }

  private static String resourceArn(String arn) {
    if (arn == null || arn.isEmpty() || arn.length() > 128 || !RequestFields.RESOURCE_ARN.matcher(arn).matches()) {
      throw RequestFields.violation("'" + arn + "'", "resourceArn",
          "Member must satisfy regular expression pattern: " + RequestFields.RESOURCE_ARN.pattern());
    }
    return arn;
  }

  private static TokenRequest tokenRequest(RequestFields request) {
    Integer duration = request.optionalInt("duration", 1, 20160);
    String userId = request.optionalString("userId", 0, 128, null);
    Map<String, String> attributes = request.optionalAttributes("attributes");
    List<String> capabilities = request.optionalEnumList("capabilities", 2, CAPABILITIES);
    return new TokenRequest(duration, userId, attributes, capabilities);
  }

  private static JsonNode recordingConfiguration(RequestFields request) {
    RequestFields recording = request.optionalStructure("autoParticipantRecordingConfiguration");
    if (recording == null) {
      return null;
    }
    recording.requiredString("storageConfigurationArn", 0, 128, STORAGE_CONFIGURATION_ARN);
    recording.optionalEnumList("mediaTypes", 1, RECORDING_MEDIA_TYPES);
    RequestFields thumbnail = recording.optionalStructure("thumbnailConfiguration");
    if (thumbnail != null) {
      thumbnail.optionalInt("targetIntervalSeconds", 1, 86_400);
      thumbnail.optionalEnumList("storage", 2, THUMBNAIL_STORAGE);
      thumbnail.optionalEnum("recordingMode", THUMBNAIL_RECORDING_MODES);
    }
    recording.optionalInt("recordingReconnectWindowSeconds", 0, 300);
    RequestFields hls = recording.optionalStructure("hlsConfiguration");
    if (hls != null) {
      hls.optionalInt("targetSegmentDurationSeconds", 2, 10);
    }
    recording.optionalBoolean("recordParticipantReplicas");
    return request.raw("autoParticipantRecordingConfiguration");
  }

  // ---- response rendering ----

  private ObjectNode stage(StageView stage) {
    ObjectNode node = json.createObjectNode().put("arn", stage.arn()).put("name", stage.name());
    putIfPresent(node, "activeSessionId", stage.activeSessionId());
    node.set("tags", map(stage.tags()));
    node.putObject("endpoints").put("events", stage.endpoints().events()).put("whip", stage.endpoints().whip())
        .put("rtmp", stage.endpoints().rtmp()).put("rtmps", stage.endpoints().rtmps());
    if (stage.recordingConfiguration() != null) {
      node.set("autoParticipantRecordingConfiguration", stage.recordingConfiguration());
    }
    return node;
  }

  private ObjectNode token(TokenView token) {
    ObjectNode node = json.createObjectNode().put("participantId", token.participantId())
        .put("token", token.token());
    putIfPresent(node, "userId", token.userId());
    node.set("attributes", map(token.attributes()));
    node.put("duration", token.duration());
    ArrayNode capabilities = node.putArray("capabilities");
    token.capabilities().forEach(capabilities::add);
    node.put("expirationTime", time(token.expirationTime()));
    return node;
  }

  private ObjectNode participant(ParticipantView participant) {
    ObjectNode node = json.createObjectNode().put("participantId", participant.participantId());
    putIfPresent(node, "userId", participant.userId());
    node.put("state", participant.state().name());
    node.put("firstJoinTime", time(participant.firstJoinTime()));
    node.put("published", participant.published());
    node.put("recordingState", "DISABLED");
    node.put("replicationType", participant.replicationType().name());
    if (participant.replicationState() != null) {
      node.put("replicationState", participant.replicationState().name());
    }
    putIfPresent(node, "sourceStageArn", participant.sourceStageArn());
    putIfPresent(node, "sourceSessionId", participant.sourceSessionId());
    return node;
  }

  private ObjectNode session(SessionView session) {
    ObjectNode node = json.createObjectNode().put("sessionId", session.sessionId())
        .put("startTime", time(session.startTime()));
    if (session.endTime() != null) {
      node.put("endTime", time(session.endTime()));
    }
    return node;
  }

  private ObjectNode publicKey(KeyView key) {
    ObjectNode node = json.createObjectNode().put("arn", key.arn()).put("name", key.name())
        .put("publicKeyMaterial", key.publicKeyMaterial()).put("fingerprint", key.fingerprint());
    node.set("tags", map(key.tags()));
    return node;
  }

  private ObjectNode map(Map<String, String> values) {
    ObjectNode node = json.createObjectNode();
    new TreeMap<>(values).forEach(node::put);
    return node;
  }

  private static ObjectNode withNextToken(ObjectNode response, String scope, Page<?> page) {
    if (page.continueAfter() != null) {
      response.put("nextToken", PageTokens.encode(scope, page.continueAfter()));
    }
    return response;
  }

  private static void putIfPresent(ObjectNode node, String name, String value) {
    if (value != null) {
      node.put(name, value);
    }
  }

  private static String time(Instant instant) {
    return instant.toString();
  }
}
