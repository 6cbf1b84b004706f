package dev.stagefleet.gateway;

import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.gateway.TokenMinter.MintedToken;

/** What happened to a viewer's join; the viewer route maps it to HTTP. */
sealed interface JoinResult {
  /** Placed on {@code stage} with a SUBSCRIBE token, and the presence pass its socket opens with on any replica. */
  record Placed(String viewerId, StageStatus stage, MintedToken token, String presencePass) implements JoinResult {
  }

  /** Every Active stage is full; {@code atMaxStages} when no stage can be added either. */
  record Full(boolean atMaxStages, int maxStages) implements JoinResult {
  }

  /** A stage has room, but this replica holds no free seat there yet; it has asked for seats. */
  record NoSeatHere() implements JoinResult {
  }

  /** The broadcast has no Active stage yet. */
  record NoStage() implements JoinResult {
  }

  /** The broadcast has ended. */
  record Ended() implements JoinResult {
  }
}
