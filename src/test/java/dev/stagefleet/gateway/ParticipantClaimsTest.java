package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagefleet.gateway.TokenMinter.StageRef;
import dev.stagefleet.ivs.IvsService.Capability;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ParticipantClaimsTest {
  static final StageRef STAGE = new StageRef("arn:aws:ivs:us-east-1:123456789012:stage/AbCd1234", "AbCd1234",
      "wss://global.events.live-video.net", "https://global.whip.live-video.net");
  static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

  @Test
  void subscribeTokenHasExactlyTheDocumentedClaims() {
    var claims = ParticipantClaims.of(STAGE, Capability.SUBSCRIBE, "viewer-1", "alice", Map.of("seat", "12"), NOW,
        NOW.plus(Duration.ofHours(12)));
    assertThat(claims).containsOnlyKeys("exp", "iat", "jti", "user_id", "resource", "topic", "events_url", "whip_url",
        "capabilities", "attributes", "version");
    assertThat(claims).containsEntry("exp", NOW.getEpochSecond() + 12 * 3600)
        .containsEntry("iat", NOW.getEpochSecond())
        .containsEntry("jti", "viewer-1")
        .containsEntry("user_id", "alice")
        .containsEntry("resource", STAGE.arn())
        .containsEntry("topic", "AbCd1234")
        .containsEntry("events_url", "wss://global.events.live-video.net")
        .containsEntry("whip_url", "https://global.whip.live-video.net")
        .containsEntry("capabilities", Map.of("allow_subscribe", true))
        .containsEntry("attributes", Map.of("seat", "12"))
        .containsEntry("version", "1.0");
    assertThat(claims.get("exp")).isInstanceOf(Long.class);
  }

  @Test
  void publishTokenAllowsPublishingOnlyAndLeavesOutEmptyOptionalClaims() {
    var claims = ParticipantClaims.of(STAGE, Capability.PUBLISH, "p", null, Map.of(), NOW, NOW.plusSeconds(60));
    assertThat(claims).containsEntry("capabilities", Map.of("allow_publish", true))
        .doesNotContainKeys("user_id", "attributes");
  }

  @Test
  void refusesWhatIvsWouldRefuse() {
    assertThatThrownBy(() -> ParticipantClaims.of(STAGE, Capability.PUBLISH, "p", null, null, NOW,
        NOW.plus(Duration.ofDays(15)))).hasMessageContaining("14 days");
    assertThatThrownBy(() -> ParticipantClaims.of(STAGE, Capability.PUBLISH, "p", null, null, NOW, NOW))
        .hasMessageContaining("expire");
    assertThatThrownBy(() -> ParticipantClaims.of(STAGE, Capability.PUBLISH, "bad id!", null, null, NOW,
        NOW.plusSeconds(60))).hasMessageContaining("participant id");
    assertThatThrownBy(() -> ParticipantClaims.of(STAGE, Capability.PUBLISH, "x".repeat(65), null, null, NOW,
        NOW.plusSeconds(60))).hasMessageContaining("participant id");
    // the jti becomes the participant id, which IVS's participant operations take as [a-zA-Z0-9-]* only
    assertThatThrownBy(() -> ParticipantClaims.of(STAGE, Capability.PUBLISH, "under_score", null, null, NOW,
        NOW.plusSeconds(60))).hasMessageContaining("participant id");
    var noEndpoints = new StageRef(STAGE.arn(), STAGE.id(), null, null);
    assertThatThrownBy(() -> ParticipantClaims.of(noEndpoints, Capability.PUBLISH, "p", null, null, NOW,
        NOW.plusSeconds(60))).hasMessageContaining("no endpoints");
  }
}
