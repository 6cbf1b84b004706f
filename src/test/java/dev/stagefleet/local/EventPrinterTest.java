package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventPrinterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  @Test
  void columnsAreTheApiServersWithTheWideOnesAtPriorityOne() {
    assertThat(new EventPrinter().columns()).extracting(c -> c.path("name").asText() + ":" + c.path("priority").asInt())
        .containsExactly("Last Seen:0", "Type:0", "Reason:0", "Object:0", "Subobject:1", "Source:1", "Message:0",
            "First Seen:1", "Count:1", "Name:1");
  }

  @Test
  void cellsNameTheObjectByKindAndNameAndTheTimesAsHumanDurations() throws Exception {
    JsonNode event = JSON.readTree("""
        {"metadata": {"name": "launch.1"}, "type": "Warning", "reason": "StageFailed", "message": " no quota \\n",
         "involvedObject": {"kind": "LiveBroadcast", "name": "launch", "fieldPath": "spec.stages"},
         "source": {"component": "stagefleet-operator", "host": "node-1"}, "count": 4,
         "firstTimestamp": "2026-01-01T08:30:00Z", "lastTimestamp": "2026-01-01T11:54:30Z"}""");

    assertThat(new EventPrinter().cells(event, NOW)).extracting(JsonNode::asText).containsExactly("5m30s", "Warning",
        "StageFailed", "livebroadcast/launch", "spec.stages", "stagefleet-operator, node-1", "no quota", "3h30m", "4",
        "launch.1");
  }

  @Test
  void aSingletonEventOfTheNewerApiCountsOnceAndIsLastSeenWhenFirstSeen() throws Exception {
    JsonNode event = JSON.readTree("""
        {"metadata": {"name": "e"}, "type": "Normal", "reason": "Scaled", "message": "m",
         "involvedObject": {"kind": "LiveBroadcast"}, "reportingComponent": "stagefleet",
         "eventTime": "2026-01-01T11:59:00.000000Z"}""");

    assertThat(new EventPrinter().cells(event, NOW)).extracting(JsonNode::asText).containsExactly("60s", "Normal",
        "Scaled", "livebroadcast", "", "stagefleet", "m", "60s", "1", "e");
  }

  @Test
  void humanDurationsKeepTwoUnitsWhileTheyMatter() {
    assertThat(EventPrinter.humanDuration(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(EventPrinter.humanDuration(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(EventPrinter.humanDuration(Duration.ofMinutes(42))).isEqualTo("42m");
    assertThat(EventPrinter.humanDuration(Duration.ofHours(7).plusMinutes(5))).isEqualTo("7h5m");
    assertThat(EventPrinter.humanDuration(Duration.ofHours(30))).isEqualTo("30h");
    assertThat(EventPrinter.humanDuration(Duration.ofHours(52))).isEqualTo("2d4h");
    assertThat(EventPrinter.humanDuration(Duration.ofDays(40))).isEqualTo("40d");
    assertThat(EventPrinter.humanDuration(Duration.ofDays(800))).isEqualTo("2y70d");
    assertThat(EventPrinter.humanDuration(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
  }
}
