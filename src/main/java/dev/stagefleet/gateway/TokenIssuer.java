package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastSpec;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.TokenMinter.MintedToken;
import dev.stagefleet.gateway.TokenMinter.StageRef;
import dev.stagefleet.gateway.TokenMinter.TokenRequest;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsService.Capability;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mints a broadcast's tokens with its spec's lifetimes and user id, counts them, and turns minting failures into
 * {@link TokenUnavailable} with the reason.
 */
final class TokenIssuer {
  private static final Logger LOG = LoggerFactory.getLogger(TokenIssuer.class);

  private final TokenMinter minter;
  private final GatewayMetrics metrics;

  TokenIssuer(TokenMinter minter, GatewayMetrics metrics) {
    this.minter = minter;
    this.metrics = metrics;
  }

  /** A PUBLISH token for the broadcaster. */
  MintedToken publish(LiveBroadcast broadcast, StageStatus stage) {
    LiveBroadcastSpec spec = broadcast.getSpec();
    String userId = spec.getBroadcaster() == null ? "broadcaster" : spec.getBroadcaster().getUserId();
    return mint(stage, Capability.PUBLISH, userId, Duration.ofMinutes(tokens(spec).getPublishTtlMinutes()));
  }

  /** Refuses (503 key_unavailable) while no token can be minted, so no viewer is held or seated for nothing. */
  void requireReady() {
    minter.notReadyReason().ifPresent(reason -> {
      throw new ApiError(503, "key_unavailable", reason, Map.of("Retry-After", "5"));
    });
  }

  /** A SUBSCRIBE token for a viewer. */
  MintedToken subscribe(LiveBroadcast broadcast, StageStatus stage, String userId) {
    return mint(stage, Capability.SUBSCRIBE, userId,
        Duration.ofMinutes(tokens(broadcast.getSpec()).getSubscribeTtlMinutes()));
  }

  private static LiveBroadcastSpec.Tokens tokens(LiveBroadcastSpec spec) {
    return spec.getTokens() == null ? new LiveBroadcastSpec.Tokens() : spec.getTokens();
  }

  private MintedToken mint(StageStatus stage, Capability capability, String userId, Duration ttl) {
    var endpoints = stage.getEndpoints();
    StageRef ref = new StageRef(stage.getArn(), stage.getId(), endpoints == null ? null : endpoints.getEvents(),
        endpoints == null ? null : endpoints.getWhip());
    try {
      MintedToken token = minter.mint(new TokenRequest(ref, capability, userId, Map.of(), ttl));
      metrics.tokenMinted(minter.mode(), capability.name());
      return token;
    } catch (IvsException.NotFound e) {
      metrics.tokenFailed(minter.mode());
      throw new TokenUnavailable(TokenUnavailable.Reason.STAGE_GONE,
          "stage " + stage.getId() + " no longer exists in IVS");
    } catch (IvsException e) {
      metrics.tokenFailed(minter.mode());
      LOG.warn("CreateParticipantToken for stage {} failed: {} {}", stage.getId(), e.errorCode(), e.getMessage());
      throw new TokenUnavailable(TokenUnavailable.Reason.IVS_UNAVAILABLE,
          "IVS could not mint a token right now; try again shortly");
    } catch (KeySecretTokenMinter.KeyUnavailableException e) {
      metrics.tokenFailed(minter.mode());
      throw new ApiError(503, "key_unavailable", e.getMessage(), Map.of("Retry-After", "5"));
    } catch (IllegalArgumentException e) {
      metrics.tokenFailed(minter.mode());
      throw new TokenUnavailable(TokenUnavailable.Reason.STAGE_NOT_READY,
          "stage " + stage.getId() + " cannot take participants yet: " + e.getMessage());
    }
  }
}
