package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.cli.StageFleetCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The gateway's and the keys command's command lines: every flag documented, mistakes told in one line. */
@Tag("unit")
class GatewayCommandLineTest {

  record Run(int exitCode, String out, String err) {
  }

  static Run run(String... args) {
    var cl = StageFleetCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsEveryGatewayFlagWithItsEnvironmentVariable() {
    var help = run("gateway", "--help");
    assertThat(help.exitCode()).isZero();
    for (String flag : new String[] {"--port", "--kubeconfig", "--namespaces", "--region", "--ivs-endpoint",
        "--token-mode", "--key-secret", "--key-file", "--key-arn", "--replica-id", "--cors-origins",
        "--legacy-endpoints", "--web-root", "--warm-up-joins"}) {
      assertThat(help.out()).contains(flag);
    }
    assertThat(help.out()).contains("STAGEFLEET_TOKEN_MODE").contains("default 8080");
  }

  @Test
  void badGatewayFlagsAreOneLineErrors() {
    var mode = run("gateway", "--token-mode", "magic");
    assertThat(mode.exitCode()).isNotZero();
    assertThat(mode.err()).contains("self-signed or api").doesNotContain("\tat ");
    var keyFile = run("gateway", "--key-file", "/definitely/not/here.pem");
    assertThat(keyFile.exitCode()).isNotZero();
    assertThat(keyFile.err()).contains("cannot be read").doesNotContain("\tat ");
    var warmUp = run("gateway", "--warm-up-joins", "-5");
    assertThat(warmUp.exitCode()).isNotZero();
    assertThat(warmUp.err()).contains("--warm-up-joins must be between 0 and 100000").doesNotContain("\tat ");
    var port = run("gateway", "--port", "eighty");
    assertThat(port.exitCode()).isNotZero();
    assertThat(port.err()).contains("--port");
  }

  @Test
  void keysCreateChecksItsNamesBeforeCallingIvs() {
    var help = run("keys", "create", "--help");
    assertThat(help.out()).contains("--region", "--ivs-endpoint", "--name", "--secret-name", "--namespace");
    var badName = run("keys", "create", "--name", "no spaces please");
    assertThat(badName.exitCode()).isNotZero();
    assertThat(badName.err()).contains("--name");
    var badSecret = run("keys", "create", "--secret-name", "Upper_Case");
    assertThat(badSecret.err()).contains("--secret-name");
    var badKeySecret = run("keys", "create", "--key-secret", "no-slash");
    assertThat(badKeySecret.err()).contains("namespace/name");
  }
}
