package dev.stagefleet.gateway;

import dev.stagefleet.gateway.TokenMinter.StageRef;
import dev.stagefleet.ivs.IvsService.Capability;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The claims of a self-signed IVS participant token, exactly as IVS documents them (token schema version 1.0). */
public final class ParticipantClaims {
  /** IVS refuses tokens whose {@code exp} lies more than 14 days after {@code iat}. */
  public static final long MAX_TTL_SECONDS = 14L * 24 * 3600;
  /** The jti becomes the participant id, which IVS's participant operations take as {@code [a-zA-Z0-9-]*}. */
  static final Pattern PARTICIPANT_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  private ParticipantClaims() {
  }

  /**
   * The claim set for one participant: exp, iat, jti (the participant id), user_id (when given), resource (stage
   * ARN), topic (stage id), events_url, whip_url, capabilities, attributes (when any) and version.
   */
  public static Map<String, Object> of(StageRef stage, Capability capability, String participantId, String userId,
      Map<String, String> attributes, Instant issuedAt, Instant expiresAt) {
    if (!PARTICIPANT_ID.matcher(participantId).matches()) {
      throw new IllegalArgumentException("participant id must be 1-64 characters of A-Z a-z 0-9 -");
    }
    long iat = issuedAt.getEpochSecond();
    long exp = expiresAt.getEpochSecond();
    if (exp <= iat || exp - iat > MAX_TTL_SECONDS) {
      throw new IllegalArgumentException("a token must expire after it is issued and within 14 days");
    }
    if (stage.eventsUrl() == null || stage.whipUrl() == null) {
      throw new IllegalArgumentException("stage " + stage.id() + " has no endpoints in its status yet");
    }
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("exp", exp);
    claims.put("iat", iat);
    claims.put("jti", participantId);
    if (userId != null && !userId.isEmpty()) {
      claims.put("user_id", userId);
    }
    claims.put("resource", stage.arn());
    claims.put("topic", stage.id());
    claims.put("events_url", stage.eventsUrl());
    claims.put("whip_url", stage.whipUrl());
    // a token carries only the capability it grants: a viewer's token has allow_subscribe alone
    claims.put("capabilities", Map.of(capability == Capability.PUBLISH ? "allow_publish" : "allow_subscribe", true));
    if (attributes != null && !attributes.isEmpty()) {
      claims.put("attributes", new LinkedHashMap<>(attributes));
    }
    claims.put("version", "1.0");
    return claims;
  }
}
