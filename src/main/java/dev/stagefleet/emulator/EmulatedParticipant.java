package dev.stagefleet.emulator;

/**
 * A simulated client connected to an emulated stage.
 *
 * @param participantId IVS's participant id (the token's {@code jti})
 * @param stageArn the stage it joined
 * @param sessionId the stage session it is part of
 * @param userId the token's user id, may be null
 * @param publishing whether it publishes media (otherwise it only subscribes)
 */
public record EmulatedParticipant(String participantId, String stageArn, String sessionId, String userId,
    boolean publishing) {
}
