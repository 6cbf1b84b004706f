package dev.stagefleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Participant ids: 24 letters and digits IVS accepts, each character equally likely, no two alike. */
@Tag("unit")
class ParticipantIdsTest {

  @Test
  void anIdIsTwentyFourLettersAndDigits() {
    for (int i = 0; i < 1_000; i++) {
      assertThat(ParticipantIds.next()).hasSize(24).matches("[A-Za-z0-9]{24}");
    }
  }

  @Test
  void idsDoNotRepeat() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(ParticipantIds.next());
    }
    assertThat(ids).hasSize(10_000);
  }

  @Test
  void bytesThatWouldFavourTheFirstCharactersAreDrawnAgain() {
    // 248..255 would map to A..H a fifth time: they are skipped, so the id starts at the byte after them
    Random source = new Random() {
      private int next;

      @Override
      public void nextBytes(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
          bytes[i] = (byte) (next < 8 ? 248 + next : next - 8);
          next++;
        }
      }
    };

    String id = ParticipantIds.next(source);

    assertThat(id).isEqualTo(ParticipantIds.ALPHABET.substring(0, 24));
  }

  @Test
  void everyCharacterIsAboutEquallyLikely() {
    Random seeded = new Random(17);
    int[] seen = new int[128];
    int ids = 20_000;
    for (int i = 0; i < ids; i++) {
      for (char c : ParticipantIds.next(seeded).toCharArray()) {
        seen[c]++;
      }
    }
    double expected = ids * 24.0 / 62;
    double chiSquare = 0;
    for (char c : ParticipantIds.ALPHABET.toCharArray()) {
      chiSquare += Math.pow(seen[c] - expected, 2) / expected;
    }
    // 61 degrees of freedom: 100 is beyond the 0.999 quantile (~100.9 is p = 0.001); the old modulo bias of
    // 256 % 62 (A..H a quarter more likely) gives a chi-square in the thousands
    assertThat(chiSquare).isLessThan(100);
  }
}
