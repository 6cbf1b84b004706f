package dev.stagefleet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Runs the gateway (participant tokens, viewer placement, broadcaster WebSocket). */
@Command(name = "gateway", mixinStandardHelpOptions = true, description = "Runs the gateway (participant tokens, viewer placement, broadcaster WebSocket).")
public final class GatewayCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserFacingException("'gateway' is not available in this build yet; it comes with a later release.", 2);
  }
}
