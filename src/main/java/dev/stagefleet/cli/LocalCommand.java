package dev.stagefleet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Runs everything on one machine: embedded Kubernetes API, IVS emulator, operator and gateway. */
@Command(name = "local", mixinStandardHelpOptions = true, description = "Runs everything on one machine: embedded Kubernetes API, IVS emulator, operator and gateway.")
public final class LocalCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserFacingException("'local' is not available in this build yet; it comes with a later release.", 2);
  }
}
