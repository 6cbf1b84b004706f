package dev.stagefleet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Runs the IVS emulator alone. */
@Command(name = "ivs-emulator", mixinStandardHelpOptions = true,
    description = "Runs the IVS real-time emulator: the IVS REST-JSON API on a local port, for any AWS SDK.")
public final class IvsEmulatorCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserFacingException("'ivs-emulator' is being built", 2);
  }
}
