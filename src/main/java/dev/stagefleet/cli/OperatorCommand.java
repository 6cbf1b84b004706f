package dev.stagefleet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Runs the operator (reconciles LiveBroadcasts into IVS stages). */
@Command(name = "operator", mixinStandardHelpOptions = true, description = "Runs the operator (reconciles LiveBroadcasts into IVS stages).")
public final class OperatorCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserFacingException("'operator' is not available in this build yet; it comes with a later release.", 2);
  }
}
