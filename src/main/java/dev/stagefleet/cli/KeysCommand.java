package dev.stagefleet.cli;

import dev.stagefleet.gateway.SigningKeySecret;
import dev.stagefleet.ivs.IvsException;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Manages the key pair for self-signed participant tokens. */
@Command(name = "keys", mixinStandardHelpOptions = true, subcommands = KeysCommand.Create.class,
    description = "Manages the P-384 key pair the gateway signs participant tokens with.")
public final class KeysCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code stagefleet keys create}: generate, import, print the Secret. */
  @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
      defaultValueProvider = EnvironmentDefaults.class,
      description = {"Generates a P-384 key pair, imports the public key into IVS (or the emulator) and prints a "
          + "Kubernetes Secret manifest holding the private key and the public key's ARN.",
          "Example: stagefleet keys create --name prod-gateway | kubectl apply -f -",
          "IVS allows 3 public keys per region; delete unused ones (the ARN is in the Secret)."})
  static final class Create implements Callable<Integer> {
    private static final Pattern KEY_NAME = Pattern.compile("[a-zA-Z0-9-_]{1,128}");
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    @Mixin
    IvsOptions ivs;

    @Option(names = "--name", description = "Name of the public key in IVS (default ${DEFAULT-VALUE}).")
    String name = "stagefleet-gateway";

    @Option(names = "--secret-name", description = "Name of the Secret to print (default ${DEFAULT-VALUE}).")
    String secretName = "stagefleet-token-key";

    @Option(names = "--namespace",
        description = "Namespace of the Secret (default ${DEFAULT-VALUE}); pass the gateway "
            + "--key-secret NAMESPACE/SECRET-NAME.")
    String namespace = "stagefleet-system";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--key-secret",
        description = "namespace/name of the Secret, in one (the form the gateway's --key-secret takes); "
            + "overrides --namespace and --secret-name.")
    String keySecret;

    @Override
    public Integer call() {
      if (keySecret != null) {
        String[] parts = keySecret.split("/", 2);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
          throw new UserFacingException("--key-secret must be namespace/name, not \"" + keySecret + "\"");
        }
        namespace = parts[0];
        secretName = parts[1];
      }
      if (!KEY_NAME.matcher(name).matches()) {
        throw new UserFacingException("--name must be 1-128 letters, digits, '-' or '_'");
      }
      if (secretName.length() > 253 || !DNS_NAME.matcher(secretName).matches()) {
        throw new UserFacingException("--secret-name \"" + secretName + "\" is not a valid Secret name");
      }
      if (namespace.length() > 63 || !DNS_NAME.matcher(namespace).matches() || namespace.contains(".")) {
        throw new UserFacingException("--namespace \"" + namespace + "\" is not a valid namespace name");
      }
      try (SdkIvsService client = ivs.client(ivs.region(), new IvsRateLimits(), null)) {
        var secret = SigningKeySecret.create(client, name, secretName, namespace);
        spec.commandLine().getErr().println("imported public key "
            + secret.getStringData().get(SigningKeySecret.PUBLIC_KEY_ARN) + "; start the gateway with --key-secret "
            + namespace + "/" + secretName);
        spec.commandLine().getOut().print(SigningKeySecret.yaml(secret));
        spec.commandLine().getOut().flush();
        return 0;
      } catch (IvsException e) {
        throw new UserFacingException("IVS refused to import the public key: " + e.getMessage());
      }
    }
  }
}
