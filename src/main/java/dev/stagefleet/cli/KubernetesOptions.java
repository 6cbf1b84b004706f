package dev.stagefleet.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --kubeconfig} option every command that talks to a cluster shares, and the client it gives. */
public final class KubernetesOptions {
  @Option(names = "--kubeconfig",
      description = "Kubeconfig file (default: the standard resolution: $KUBECONFIG, ~/.kube/config, in-cluster) "
          + "[STAGEFLEET_KUBECONFIG].")
  Path kubeconfig;

  /** A client for the kubeconfig given, or the standard resolution; a bad file ends the command with one line. */
  public KubernetesClient client() {
    if (kubeconfig == null) {
      return new KubernetesClientBuilder().build();
    }
    if (!Files.isRegularFile(kubeconfig) || !Files.isReadable(kubeconfig)) {
      throw new UserFacingException("--kubeconfig " + kubeconfig + " is not a readable file");
    }
    try {
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    } catch (java.io.IOException | RuntimeException e) {
      throw new UserFacingException("--kubeconfig " + kubeconfig + " is not a usable kubeconfig: "
          + Messages.firstLine(Messages.rootMessage(e)));
    }
  }
}
