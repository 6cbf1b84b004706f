package dev.stagefleet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Manages the key pair for self-signed participant tokens. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Manages the P-384 key pair the gateway signs participant tokens with.")
public final class KeysCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserFacingException("'keys' is not available in this build yet; it comes with a later release.", 2);
  }
}
