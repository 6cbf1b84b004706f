package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.TokenMinter.MintedToken;

/** What happened to a viewer's join; the viewer route maps it to HTTP. */
sealed interface JoinResult {
  /** Placed on {@code stage} with a SUBSCRIBE token. */
  record Placed(String viewerId, StageStatus stage, MintedToken token) implements JoinResult {
  }

  /** Every Active stage is full; {@code atMaxStages} when no stage can be added either. */
  record Full(boolean atMaxStages, int maxStages) implements JoinResult {
  }

  /** The broadcast has no Active stage yet. */
  record NoStage() implements JoinResult {
  }

  /** The broadcast has ended. */
  record Ended() implements JoinResult {
  }
}
