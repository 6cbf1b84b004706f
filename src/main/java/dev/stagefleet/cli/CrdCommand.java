package dev.stagefleet.cli;

import dev.stagefleet.api.v1alpha1.CustomResourceDefinitions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Prints the LiveBroadcast CRD, for {@code stagefleet crd | kubectl apply -f -}. */
@Command(name = "crd", mixinStandardHelpOptions = true,
    description = "Prints the LiveBroadcast CustomResourceDefinition (YAML), e.g. stagefleet crd | kubectl apply -f -")
public final class CrdCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.out.print(CustomResourceDefinitions.liveBroadcastYaml());
    return 0;
  }
}
