package dev.stagefleet.gateway;

import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.ivs.IvsService.Capability;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Mints participant tokens for one stage: through the IVS API, or signed locally with an imported key. */
interface TokenMinter {

  /** The token minter the settings ask for. */
  static TokenMinter forSettings(GatewaySettings settings, KubernetesClient client, IvsService ivs,
      Clock clock) {
    if (settings.tokenMode() == GatewaySettings.TokenMode.API) {
      if (ivs == null) {
        throw new IllegalArgumentException("--token-mode api needs an IVS client");
      }
      return new ApiTokenMinter(ivs);
    }
    if (settings.keySecret() != null && !settings.keySecret().isBlank()) {
      // the Secret may not exist yet: the gateway starts, answers /ready 503 naming it, and waits
      return KeySecretTokenMinter.watch(client, settings.keySecret(), clock);
    }
    return new SelfSignedTokenMinter(SigningKey.fromKeyFile(settings), clock);
  }

  /** Mints one token; every call yields a fresh participant id (a token is good for one connection). */
  MintedToken mint(TokenRequest request);

  /** The mode's name as metrics and logs show it: {@code api} or {@code self-signed}. */
  String mode();

  /** Why no token can be minted yet (for {@code /ready}); empty when the minter can mint. */
  default Optional<String> notReadyReason() {
    return Optional.empty();
  }

  /**
   * The encoded signing key the gateway's own claims (presence passes, socket tickets) are keyed from, so every
   * replica with the same key accepts them; empty when tokens are not signed here (api mode).
   */
  default Optional<byte[]> claimKeyMaterial() {
    return Optional.empty();
  }

  /** Who signs the tokens, as the signer-info metric shows it: a JCA provider's name, or {@code ivs} in api mode. */
  default String signer() {
    return mode();
  }

  /** The stage a token is for, as the LiveBroadcast status describes it. */
  record StageRef(String arn, String id, String eventsUrl, String whipUrl) {
    public StageRef {
      Objects.requireNonNull(arn, "arn");
      Objects.requireNonNull(id, "id");
    }
  }

  /** What to mint: one capability on one stage, for a user, valid for a while. */
  record TokenRequest(StageRef stage, Capability capability, String userId, Map<String, String> attributes,
      Duration ttl) {
    public TokenRequest {
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(capability, "capability");
      Objects.requireNonNull(ttl, "ttl");
      attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
  }

  /** A minted token, with the participant id it carries and when it expires. */
  record MintedToken(String token, String participantId, Instant expiresAt) {
    @Override
    public String toString() {
      return "MintedToken[" + participantId + ", expires " + expiresAt + ", token=<redacted>]";
    }
  }
}
