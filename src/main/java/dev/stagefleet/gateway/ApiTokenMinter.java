package dev.stagefleet.gateway;

import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.ivs.IvsService.ParticipantToken;
import java.time.Duration;
import java.util.Set;

/** Mints participant tokens with IVS's CreateParticipantToken (rate limited inside {@link IvsService}). */
final class ApiTokenMinter implements TokenMinter {
  private static final Duration MAX_DURATION = Duration.ofMinutes(20_160);

  private final IvsService ivs;

  ApiTokenMinter(IvsService ivs) {
    this.ivs = ivs;
  }

  @Override
  public MintedToken mint(TokenRequest request) {
    Duration ttl = request.ttl().compareTo(MAX_DURATION) > 0 ? MAX_DURATION : request.ttl();
    if (ttl.toMinutes() < 1) {
      ttl = Duration.ofMinutes(1);
    }
    ParticipantToken token = ivs.createParticipantToken(request.stage().arn(), Set.of(request.capability()), ttl,
        request.userId(), request.attributes());
    return new MintedToken(token.token(), token.participantId(), token.expirationTime());
  }

  @Override
  public String mode() {
    return "api";
  }

  @Override
  public String signer() {
    return "ivs";
  }
}
