package dev.stagefleet.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.stagefleet.emulator.IvsServiceModel.Member;
import dev.stagefleet.emulator.IvsServiceModel.Operation;
import dev.stagefleet.emulator.IvsServiceModel.Shape;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Holds the emulator to AWS's service model of IVS real-time: for every operation StageFleet calls, each constraint of
 * its input shapes (required members, lengths in Unicode scalar values, patterns, ranges, enums, list and map sizes)
 * is probed at its boundary, which must be accepted, and one past it, which must be refused with a
 * ValidationException; and every error answered must be one the model declares for that operation.
 *
 * <p>"Accepted" means the constraint layer let the value through: the call succeeds or fails on the resource (for
 * example ResourceNotFoundException for a well-formed ARN of no stage), never with a constraint violation. Patterns
 * are matched against the whole value, as AWS services do. The model's {@code ResourceArn} pattern ({@code [a-z-]/},
 * one letter before the slash) matches no real IVS ARN; the emulator allows {@code [a-z-]+}, so stage ARNs can be
 * tagged, and the probes generated from the model's pattern hold under both.
 */
@Tag("wire")
class ModelConformanceTest {
  /** The operations StageFleet uses. */
  static final List<String> USED = List.of("CreateStage", "GetStage", "UpdateStage", "DeleteStage", "ListStages",
      "CreateParticipantToken", "ListParticipants", "GetParticipant", "DisconnectParticipant", "ListStageSessions",
      "GetStageSession", "ImportPublicKey", "GetPublicKey", "DeletePublicKey", "ListPublicKeys", "TagResource",
      "UntagResource", "ListTagsForResource", "StartParticipantReplication", "StopParticipantReplication",
      "ListParticipantReplicas", "ListParticipantEvents");
  private static final IvsServiceModel MODEL = IvsServiceModel.load();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Stands for a member left out of the request. */
  private static final JsonNode OMITTED = NODES.missingNode();
  /** One scalar value, two UTF-16 code units: lengths are counted in the former. */
  private static final String EMOJI = "\uD83D\uDE00";
  private static IvsEmulator emulator;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startEmulator() {
    emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build());
  }

  @AfterAll
  static void stopEmulator() {
    emulator.close();
  }

  @BeforeEach
  void reset() {
    emulator.reset();
  }

  @TestFactory
  Stream<DynamicNode> everyConstraintOfTheModelIsEnforcedAtItsBoundary() {
    return USED.stream().map(name -> {
      Operation operation = MODEL.operation(name);
      List<Probe> probes = new ArrayList<>();
      Shape input = MODEL.shape(operation.input());
      probes.add(new Probe("the required members alone", (live, v) -> minimal(input, live), List.of(OMITTED),
          false));
      structureProbes(input, (live, v) -> (ObjectNode) v, "", probes);
      return DynamicContainer.dynamicContainer(name, probes.stream().map(probe ->
          DynamicTest.dynamicTest(probe.label(), () -> run(operation, probe))));
    });
  }

  @Test
  void pendingVerificationIsAnsweredExactlyByTheOperationsThatDeclareIt() throws Exception {
    Map<String, Boolean> answered = new LinkedHashMap<>();
    Map<String, Boolean> declared = new LinkedHashMap<>();
    for (String name : USED) {
      Operation operation = MODEL.operation(name);
      emulator.reset();
      ObjectNode input = minimal(MODEL.shape(operation.input()), new Live());
      emulator.faults().pendingVerification(true);
      Answer answer = send(operation, input);
      emulator.faults().pendingVerification(false);
      answered.put(name, "PendingVerification".equals(answer.errorType()));
      declared.put(name, operation.errors().contains("PendingVerification"));
    }
    assertThat(answered).isEqualTo(declared);
  }

  @Test
  void errorsAnsweredFromTheRegionsStateAreOnesEachOperationDeclares() throws Exception {
    // rate quotas are a fault of their own here; the script calls some operations faster than IVS allows
    emulator.faults().throttling(false);
    Map<String, Set<String>> answered = new TreeMap<>();
    String stage = call(answered, "CreateStage", "{}").get("stage").get("arn").asText();
    String other = call(answered, "CreateStage", "{}").get("stage").get("arn").asText();
    String third = call(answered, "CreateStage", "{}").get("stage").get("arn").asText();
    JsonNode host = call(answered, "CreateParticipantToken", "{\"stageArn\":\"" + stage + "\"}")
        .get("participantToken");
    String hostId = host.get("participantId").asText();
    emulator.join(host.get("token").asText(), true);
    JsonNode viewer = call(answered, "CreateParticipantToken", "{\"stageArn\":\"" + stage + "\"}")
        .get("participantToken");
    emulator.join(viewer.get("token").asText(), false);
    String session = call(answered, "GetStage", "{\"arn\":\"" + stage + "\"}").get("stage").get("activeSessionId")
        .asText();
    String gone = "arn:aws:ivs:us-east-1:123456789012:stage/gone";
    String nobody = "{\"stageArn\":\"" + stage + "\",\"sessionId\":\"" + session + "\",\"participantId\":\"nobody\"}";

    String replicate = "{\"sourceStageArn\":\"" + stage + "\",\"destinationStageArn\":\"%s\",\"participantId\":\"%s\"}";
    call(answered, "StartParticipantReplication", replicate.formatted(stage, hostId));
    call(answered, "StartParticipantReplication", replicate.formatted(other, viewer.get("participantId").asText()));
    call(answered, "StartParticipantReplication", replicate.formatted(other, "nobody"));
    call(answered, "StartParticipantReplication", replicate.formatted(gone, hostId));
    call(answered, "StartParticipantReplication", replicate.formatted(other, hostId));
    call(answered, "StartParticipantReplication", replicate.formatted(other, hostId));
    emulator.quotas().replicationsPerParticipant(1);
    call(answered, "StartParticipantReplication", replicate.formatted(third, hostId));
    call(answered, "StopParticipantReplication", replicate.formatted(third, hostId));
    call(answered, "StopParticipantReplication", replicate.formatted(gone, hostId));
    call(answered, "ListParticipantReplicas", "{\"sourceStageArn\":\"" + gone + "\",\"participantId\":\"x\"}");
    call(answered, "GetParticipant", nobody);
    call(answered, "GetParticipant", nobody.replace(stage, gone));
    call(answered, "ListParticipants", nobody.replace(stage, gone));
    call(answered, "ListParticipantEvents", nobody.replace(stage, gone));
    call(answered, "ListStageSessions", "{\"stageArn\":\"" + gone + "\"}");
    call(answered, "GetStageSession", "{\"stageArn\":\"" + stage + "\",\"sessionId\":\"st-0000000000000\"}");
    call(answered, "DisconnectParticipant", "{\"stageArn\":\"" + stage + "\",\"participantId\":\"nobody\"}");
    call(answered, "DisconnectParticipant", "{\"stageArn\":\"" + gone + "\",\"participantId\":\"" + hostId + "\"}");
    call(answered, "ListStages", "{\"nextToken\":\"forged\"}");

    String pem = SelfSignedTokens.publicKeyPem(SelfSignedTokens.newKeyPair());
    ObjectNode key = JSON.createObjectNode().put("publicKeyMaterial", pem);
    call(answered, "ImportPublicKey", key.toString());
    call(answered, "ImportPublicKey", key.toString());
    call(answered, "ImportPublicKey", JSON.createObjectNode().put("publicKeyMaterial",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").toString());
    emulator.quotas().publicKeys(1);
    call(answered, "ImportPublicKey", JSON.createObjectNode().put("publicKeyMaterial",
        SelfSignedTokens.publicKeyPem(SelfSignedTokens.newKeyPair())).toString());
    String noKey = "{\"arn\":\"arn:aws:ivs:us-east-1:123456789012:public-key/gone\"}";
    call(answered, "GetPublicKey", noKey);
    call(answered, "DeletePublicKey", noKey);

    ObjectNode fiftyOneTags = JSON.createObjectNode();
    ObjectNode tags = fiftyOneTags.putObject("tags");
    for (int i = 0; i < 51; i++) {
      tags.put("k" + i, "v");
    }
    callAt(answered, "TagResource", stage, fiftyOneTags);
    callAt(answered, "TagResource", stage, (ObjectNode) JSON.readTree("{\"tags\":{\"aws:reserved\":\"v\"}}"));
    callAt(answered, "TagResource", gone, (ObjectNode) JSON.readTree("{\"tags\":{\"a\":\"v\"}}"));
    callAt(answered, "UntagResource", gone, (ObjectNode) JSON.readTree("{\"tagKeys\":[\"a\"]}"));
    callAt(answered, "ListTagsForResource", gone, JSON.createObjectNode());

    emulator.quotas().stages(3);
    call(answered, "CreateStage", "{}");
    call(answered, "DeleteStage", "{\"arn\":\"" + stage + "\"}");
    for (String operation : List.of("GetStage", "UpdateStage", "DeleteStage")) {
      call(answered, operation, "{\"arn\":\"" + stage + "\"}");
    }
    call(answered, "CreateParticipantToken", "{\"stageArn\":\"" + stage + "\"}");

    Map<String, Set<String>> undeclared = new TreeMap<>();
    answered.forEach((operation, errors) -> errors.stream()
        .filter(error -> !MODEL.operation(operation).errors().contains(error))
        .forEach(error -> undeclared.computeIfAbsent(operation, o -> new TreeSet<>()).add(error)));
    assertThat(undeclared).as("errors answered that the model does not declare, of " + answered).isEmpty();
    assertThat(answered.values().stream().flatMap(Set::stream)).contains("ResourceNotFoundException",
        "ConflictException", "ServiceQuotaExceededException", "ValidationException");
  }

  private JsonNode call(Map<String, Set<String>> answered, String operation, String body) throws Exception {
    return callAt(answered, operation, null, (ObjectNode) JSON.readTree(body));
  }

  /** Calls an operation, noting the error it answers; {@code resourceArn} is for the tag operations' path. */
  private JsonNode callAt(Map<String, Set<String>> answered, String operation, String resourceArn, ObjectNode input)
      throws Exception {
    if (resourceArn != null) {
      input.put("resourceArn", resourceArn);
    }
    Answer answer = send(MODEL.operation(operation), input);
    Set<String> errors = answered.computeIfAbsent(operation, o -> new TreeSet<>());
    if (answer.errorType() != null) {
      errors.add(answer.errorType());
    }
    return answer.body();
  }

  @Test
  void operationsStageFleetDoesNotUseAnswerAWellFormedAwsError() throws Exception {
    for (String name : MODEL.operationNames()) {
      if (USED.contains(name)) {
        continue;
      }
      Operation operation = MODEL.operation(name);
      Answer answer = send(operation, JSON.createObjectNode());
      assertThat(answer.status()).as(name).isBetween(400, 499);
      assertThat(answer.errorType()).as(name).isNotBlank();
      assertThat(answer.body().path("message").asText()).as(name).contains(name);
    }
  }

  // ---- probes derived from the model ----

  /** Puts a value at one place of an operation's input and returns the whole input; {@link #OMITTED} leaves it out. */
  @FunctionalInterface
  interface Placement {
    ObjectNode input(Live live, JsonNode value);
  }

  /** Values put at one place, each expected to be refused (a ValidationException) or accepted. */
  record Probe(String label, Placement placement, List<JsonNode> values, boolean refused) {
  }

  private static void structureProbes(Shape structure, Placement placement, String path, List<Probe> out) {
    for (Member member : structure.members().values()) {
      String memberPath = path.isEmpty() ? member.name() : path + "." + member.name();
      Placement at = (live, v) -> {
        ObjectNode node = minimal(structure, live);
        if (v.isMissingNode()) {
          node.remove(member.name());
        } else {
          node.set(member.name(), v);
        }
        return placement.input(live, node);
      };
      boolean inUri = "uri".equals(member.location());
      if (structure.required().contains(member.name()) && !inUri) {
        out.add(new Probe(memberPath + " left out", at, List.of(OMITTED), true));
      }
      valueProbes(MODEL.shape(member.shape()), at, memberPath, inUri, out);
    }
  }

  private static void valueProbes(Shape shape, Placement at, String path, boolean inUri, List<Probe> out) {
    switch (shape.type()) {
      case "string" -> stringProbes(shape, at, path, inUri, out);
      case "integer", "long" -> {
        if (shape.min() != null) {
          out.add(new Probe(path + " = " + shape.min(), at, List.of(NODES.numberNode(shape.min())), false));
          out.add(new Probe(path + " = " + (shape.min() - 1), at, List.of(NODES.numberNode(shape.min() - 1)),
              true));
        }
        if (shape.max() != null) {
          out.add(new Probe(path + " = " + shape.max(), at, List.of(NODES.numberNode(shape.max())), false));
          out.add(new Probe(path + " = " + (shape.max() + 1), at, List.of(NODES.numberNode(shape.max() + 1)),
              true));
        }
      }
      case "boolean" -> out.add(new Probe(path + " true or false", at,
          List.of(NODES.booleanNode(true), NODES.booleanNode(false)), false));
      case "structure" -> {
        out.add(new Probe(path + " with its required members alone",
            (live, v) -> at.input(live, minimal(shape, live)), List.of(OMITTED), false));
        structureProbes(shape, at, path, out);
      }
      case "list" -> listProbes(shape, at, path, out);
      case "map" -> mapProbes(shape, at, path, out);
      default -> throw new IllegalArgumentException("No probes for " + shape.type() + " shapes (" + path + ")");
    }
  }

  private static void stringProbes(Shape shape, Placement at, String path, boolean inUri, List<Probe> out) {
    if (!shape.enumValues().isEmpty()) {
      out.add(new Probe(path + " in " + shape.enumValues(), at,
          shape.enumValues().stream().map(v -> (JsonNode) TextNode.valueOf(v)).toList(), false));
      Set<String> outside = new TreeSet<>(MODEL.allEnumValues());
      shape.enumValues().forEach(v -> outside.add(v.toLowerCase(Locale.ROOT)));
      outside.removeAll(shape.enumValues());
      outside.add("NOT_A_VALUE");
      out.add(new Probe(path + " outside its enum (every other enum value of the model)", at,
          outside.stream().map(v -> (JsonNode) TextNode.valueOf(v)).toList(), true));
      return;
    }
    PatternStrings pattern = shape.pattern() == null ? null : new PatternStrings(shape.pattern());
    int min = shape.min() == null ? 0 : shape.min().intValue();
    if (shape.max() != null) {
      int max = shape.max().intValue();
      text(pattern, max).ifPresent(v -> out.add(new Probe(path + " of " + max + " scalar values" + kind(pattern),
          at, List.of(TextNode.valueOf(v)), false)));
      text(pattern, max + 1).ifPresent(v -> out.add(new Probe(path + " of " + (max + 1) + " scalar values"
          + kind(pattern), at, List.of(TextNode.valueOf(v)), true)));
    }
    if (min > 0 || !inUri) {
      text(pattern, min).ifPresent(v -> out.add(new Probe(path + " of " + min + " scalar values", at,
          List.of(TextNode.valueOf(v)), false)));
    }
    if (min > 0) {
      if (!(inUri && min == 1)) {
        out.add(new Probe(path + " of " + (min - 1) + " scalar values", at,
            List.of(TextNode.valueOf(text(pattern, min - 1).orElse(EMOJI.repeat(min - 1)))), true));
      }
    }
    if (pattern != null) {
      int upper = shape.max() == null ? 4096 : shape.max().intValue();
      for (int length = Math.max(min, 1); length <= upper; length++) {
        Optional<String> broken = pattern.violating(length);
        if (broken.isPresent()) {
          out.add(new Probe(path + " '" + broken.get() + "' outside " + shape.pattern(), at,
              List.of(TextNode.valueOf(broken.get())), true));
          break;
        }
      }
    }
  }

  private static void listProbes(Shape shape, Placement at, String path, List<Probe> out) {
    Shape item = MODEL.shape(shape.listMember());
    if (shape.max() != null) {
      int max = shape.max().intValue();
      out.add(new Probe(path + " of " + max + " items", (live, v) -> at.input(live, items(item, max, live)),
          List.of(OMITTED), false));
      out.add(new Probe(path + " of " + (max + 1) + " items",
          (live, v) -> at.input(live, items(item, max + 1, live)), List.of(OMITTED), true));
    }
    if (shape.min() != null && shape.min() > 0) {
      int min = shape.min().intValue();
      out.add(new Probe(path + " of " + (min - 1) + " items",
          (live, v) -> at.input(live, items(item, min - 1, live)), List.of(OMITTED), true));
    }
    valueProbes(item, (live, v) -> at.input(live, NODES.arrayNode().add(v)), path + "[]", false, out);
  }

  private static void mapProbes(Shape shape, Placement at, String path, List<Probe> out) {
    Shape key = MODEL.shape(shape.mapKey());
    Shape value = MODEL.shape(shape.mapValue());
    if (shape.max() != null) {
      int max = shape.max().intValue();
      out.add(new Probe(path + " of " + max + " entries", (live, v) -> at.input(live, entries(value, max, live)),
          List.of(OMITTED), false));
      out.add(new Probe(path + " of " + (max + 1) + " entries",
          (live, v) -> at.input(live, entries(value, max + 1, live)), List.of(OMITTED), true));
    }
    Placement byKey = (live, k) -> at.input(live, NODES.objectNode().set(k.asText(), minimalValue(value, live)));
    if (!"String".equals(key.name())) {
      stringProbes(key, byKey, path + "{key}", false, out);
    }
    if (!"String".equals(value.name())) {
      valueProbes(value, (live, v) -> at.input(live, NODES.objectNode().set("k", v)), path + "{value}", false,
          out);
    }
  }

  private static Optional<String> text(PatternStrings pattern, int length) {
    // free text is made of emoji: a limit counted in UTF-16 code units would refuse it at the boundary
    return pattern == null ? Optional.of(EMOJI.repeat(length)) : pattern.matching(length);
  }

  private static String kind(PatternStrings pattern) {
    return pattern == null ? " (emoji)" : "";
  }

  // ---- minimal valid values, with live resources where the model names one ----

  /** Resources made in the emulator for the members that name one, so well-formed requests can succeed. */
  final class Live {
    String stage() {
      try {
        return send(MODEL.operation("CreateStage"), JSON.createObjectNode()).body().get("stage").get("arn")
            .asText();
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }

    String publicKeyMaterial() {
      return SelfSignedTokens.publicKeyPem(SelfSignedTokens.newKeyPair());
    }

    String publicKey() {
      ObjectNode request = JSON.createObjectNode().put("publicKeyMaterial", publicKeyMaterial());
      try {
        return send(MODEL.operation("ImportPublicKey"), request).body().get("publicKey").get("arn").asText();
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static JsonNode minimalValue(Shape shape, Live live) {
    return switch (shape.type()) {
      case "string" -> TextNode.valueOf(minimalString(shape, live));
      case "integer", "long" -> NODES.numberNode(shape.min() == null ? 1 : shape.min());
      case "boolean" -> NODES.booleanNode(true);
      case "structure" -> minimal(shape, live);
      case "list" -> items(MODEL.shape(shape.listMember()), Math.max(1, shape.min() == null ? 0
          : shape.min().intValue()), live);
      case "map" -> entries(MODEL.shape(shape.mapValue()), 1, live);
      default -> throw new IllegalArgumentException("No minimal value for " + shape.type());
    };
  }

  private static String minimalString(Shape shape, Live live) {
    switch (shape.name()) {
      case "StageArn", "ResourceArn" -> {
        return live.stage();
      }
      case "PublicKeyArn" -> {
        return live.publicKey();
      }
      case "PublicKeyMaterial" -> {
        return live.publicKeyMaterial();
      }
      default -> {
        if (!shape.enumValues().isEmpty()) {
          return shape.enumValues().get(0);
        }
        int min = shape.min() == null ? 0 : shape.min().intValue();
        if (shape.pattern() == null) {
          return "a".repeat(Math.max(min, 1));
        }
        // the shortest value that is not empty, or the empty one when that is all the pattern allows nearby
        PatternStrings pattern = new PatternStrings(shape.pattern());
        for (int length = Math.max(min, 1); length <= Math.max(min, 1) + 64; length++) {
          Optional<String> value = pattern.matching(length);
          if (value.isPresent()) {
            return value.get();
          }
        }
        return pattern.matching(min).orElseThrow();
      }
    }
  }

  private static ObjectNode minimal(Shape structure, Live live) {
    ObjectNode node = NODES.objectNode();
    for (String required : structure.required()) {
      node.set(required, minimalValue(MODEL.shape(structure.members().get(required).shape()), live));
    }
    return node;
  }

  private static ArrayNode items(Shape item, int count, Live live) {
    ArrayNode array = NODES.arrayNode();
    for (int i = 0; i < count; i++) {
      // enum lists cycle through their values, so a full list is also a list of distinct values
      array.add(item.enumValues().isEmpty() ? minimalValue(item, live)
          : TextNode.valueOf(item.enumValues().get(i % item.enumValues().size())));
    }
    return array;
  }

  private static ObjectNode entries(Shape value, int count, Live live) {
    ObjectNode map = NODES.objectNode();
    for (int i = 0; i < count; i++) {
      map.set("k" + i, minimalValue(value, live));
    }
    return map;
  }

  // ---- the wire ----

  record Answer(int status, String errorType, JsonNode body) {
    boolean constraintViolation() {
      return "ValidationException".equals(errorType)
          && body.path("message").asText().contains("failed to satisfy constraint");
    }
  }

  private void run(Operation operation, Probe probe) throws Exception {
    for (JsonNode value : probe.values()) {
      emulator.reset();
      ObjectNode input = probe.placement().input(new Live(), value);
      Answer answer = send(operation, input);
      String what = operation.name() + " " + input + " answered " + answer.status() + " " + answer.errorType()
          + " " + answer.body();
      if (answer.errorType() != null) {
        assertThat(operation.errors()).as("errors declared for " + what).contains(answer.errorType());
      }
      if (probe.refused()) {
        assertThat(answer.errorType()).as(what).isEqualTo("ValidationException");
        assertThat(answer.status()).as(what).isEqualTo(400);
      } else {
        assertThat(answer.constraintViolation()).as(what).isFalse();
        assertThat(answer.status()).as(what).isLessThan(500);
      }
    }
  }

  /** Sends an input as the model binds it: uri members in the path, querystring members as parameters, the body. */
  Answer send(Operation operation, ObjectNode input) throws IOException, InterruptedException {
    Shape shape = MODEL.shape(operation.input());
    ObjectNode body = input.deepCopy();
    String path = operation.requestUri();
    List<String> query = new ArrayList<>();
    for (Member member : shape.members().values()) {
      JsonNode value = body.remove(member.name());
      if (value == null) {
        continue;
      }
      if ("uri".equals(member.location())) {
        path = path.replace("{" + member.wireName() + "}", URLEncoder.encode(value.asText(), StandardCharsets.UTF_8));
      } else if ("querystring".equals(member.location())) {
        for (JsonNode item : value.isArray() ? value : NODES.arrayNode().add(value)) {
          query.add(member.wireName() + "=" + URLEncoder.encode(item.asText(), StandardCharsets.UTF_8));
        }
      } else {
        body.set(member.name(), value);
      }
    }
    URI uri = emulator.endpoint().resolve(path + (query.isEmpty() ? "" : "?" + String.join("&", query)));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json");
    if (operation.method().equals("POST")) {
      request.POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      request.method(operation.method(), HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = response.body().isBlank() ? NODES.objectNode() : JSON.readTree(response.body());
    return new Answer(response.statusCode(), response.headers().firstValue("x-amzn-ErrorType").orElse(null), json);
  }
}
