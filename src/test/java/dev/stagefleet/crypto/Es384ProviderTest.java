package dev.stagefleet.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class Es384ProviderTest {

  @Test
  void usesAwsLcOnLinuxX86AndArmWhereTheBuildCarriesIt() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    boolean carried = os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64"));

    assertThat(Es384Provider.awsLc().isPresent()).as("AWS-LC on %s %s", os, arch).isEqualTo(carried);
    assertThat(Es384Provider.fastest().isNative()).isEqualTo(carried);
    if (carried) {
      assertThat(Es384Provider.fastest().name()).isEqualTo("AmazonCorrettoCryptoProvider");
    }
  }

  @Test
  void fallsBackToTheJdksSunEc() {
    Es384Provider jdk = Es384Provider.jdk();

    assertThat(jdk.name()).isEqualTo("SunEC");
    assertThat(jdk.isNative()).isFalse();
  }
}
