package dev.stagefleet.operator;

import static dev.stagefleet.operator.Broadcasts.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.FanOut;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.ivs.IvsService.Replica;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator keeps IVS participant replication true to the fan-out plan, against the in-memory IVS. */
class ReplicationKeeperTest {
  static final String CLUSTER = "test-cluster";
  static final Duration WAIT = Duration.ofSeconds(15);

  static MockApiServer api;
  static InMemoryIvs ivs;
  static OperatorRuntime runtime;
  static Broadcasts broadcasts;

  @BeforeAll
  static void startOperator() {
    api = new MockApiServer();
    KubernetesClient client = api.client();
    ivs = new InMemoryIvs("us-east-1");
    broadcasts = new Broadcasts(client);
    var settings = OperatorSettings.builder().clusterId(CLUSTER).healthPort(0)
        .inventoryRefreshInterval(Duration.ofMillis(200)).resyncInterval(Duration.ofMillis(500))
        .retryBackoff(Duration.ofMillis(200)).maxRetryBackoff(Duration.ofSeconds(1)).build();
    runtime = new OperatorRuntime(settings, client, ivs, Clock.systemUTC()).start();
  }

  @AfterAll
  static void stopOperator() {
    runtime.close();
    api.close();
  }

  static List<StageStatus> stagesOnceFed(String namespace, int n) {
    await().atMost(WAIT).until(() -> {
      LiveBroadcastStatus s = broadcasts.status(namespace, "show");
      return s != null && s.getStages() != null && s.getStages().size() == n
          && s.getStages().stream().allMatch(st -> st.getFeed() != null);
    });
    return broadcasts.status(namespace, "show").getStages();
  }

  /** A replicated broadcast (the default) kept at {@code n} stages, once every stage has its feed. */
  static List<StageStatus> broadcast(String namespace, int n) {
    broadcasts.create(namespace, "show", spec(50, n, 10, 60, 60));
    return stagesOnceFed(namespace, n);
  }

  static StageStatus origin(List<StageStatus> stages) {
    return stages.stream().filter(s -> StageStatus.ORIGIN.equals(s.getFeed())).findFirst().orElseThrow();
  }

  static List<Replica> replicationsFrom(String arn) {
    return ivs.replications().stream().filter(r -> r.sourceStageArn().equals(arn)).toList();
  }

  @Test
  void oneOriginFeedsFiveReplicasOnceTheBroadcasterPublishesIntoIt() {
    var stages = broadcast("one", 6);
    StageStatus origin = origin(stages);
    assertThat(stages).filteredOn(s -> StageStatus.REPLICA.equals(s.getFeed())).hasSize(5)
        .allSatisfy(s -> assertThat(s.getSource()).isEqualTo(origin.getId()));
    assertThat(replicationsFrom(origin.getArn())).as("nothing to replicate before the broadcaster publishes").isEmpty();

    String participant = ivs.publish(origin.getArn(), "broadcaster");

    await().atMost(WAIT).untilAsserted(() -> assertThat(replicationsFrom(origin.getArn())).hasSize(5)
        .allSatisfy(r -> assertThat(r.participantId()).isEqualTo(participant)));
    assertThat(replicationsFrom(origin.getArn())).extracting(Replica::destinationStageArn)
        .containsExactlyInAnyOrderElementsOf(stages.stream().filter(s -> s != origin).map(StageStatus::getArn)
            .toList());
    await().atMost(WAIT).untilAsserted(() -> assertThat(broadcasts.eventReasons("one", "show"))
        .contains(EventRecorder.REPLICATION_STARTED));
  }

  @Test
  void nothingIsStartedOrStoppedAgainWhileNothingChanges() {
    StageStatus origin = origin(broadcast("steady", 3));
    ivs.publish(origin.getArn(), "broadcaster");
    await().atMost(WAIT).until(() -> replicationsFrom(origin.getArn()).size() == 2);
    long starts = ivs.calls("StartParticipantReplication");
    long stops = ivs.calls("StopParticipantReplication");

    await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true);

    assertThat(ivs.calls("StartParticipantReplication")).isEqualTo(starts);
    assertThat(ivs.calls("StopParticipantReplication")).isEqualTo(stops);
  }

  @Test
  void aBroadcasterBackAsANewParticipantIsReplicatedAgain() {
    StageStatus origin = origin(broadcast("reload", 4));
    String first = ivs.publish(origin.getArn(), "broadcaster");
    await().atMost(WAIT).until(() -> replicationsFrom(origin.getArn()).size() == 3);

    ivs.unpublish(origin.getArn(), false);
    String second = ivs.publish(origin.getArn(), "broadcaster");

    await().atMost(WAIT).untilAsserted(() -> assertThat(replicationsFrom(origin.getArn())).hasSize(3)
        .allSatisfy(r -> assertThat(r.participantId()).isEqualTo(second)));
    assertThat(ivs.replications()).noneMatch(r -> r.participantId().equals(first));
  }

  @Test
  void aStageReplicationCannotReachBecomesAnOriginAndTheBroadcastSaysWhy() {
    var stages = broadcast("refused", 3);
    StageStatus origin = origin(stages);
    StageStatus refused = stages.stream().filter(s -> s != origin).findFirst().orElseThrow();
    ivs.refuseReplicationInto(refused.getArn(), true);

    ivs.publish(origin.getArn(), "broadcaster");

    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("refused", "show");
      assertThat(status.getStages()).filteredOn(s -> s.getId().equals(refused.getId()))
          .singleElement().satisfies(s -> assertThat(s.getFeed()).isEqualTo(StageStatus.ORIGIN));
      assertThat(status.getConditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo(ConditionTypes.DEGRADED);
        assertThat(c.getReason()).isEqualTo(ConditionTypes.REASON_REPLICATION_FAILED);
        assertThat(c.getMessage()).contains(refused.getId(), "publishes into it directly");
      });
    });
    assertThat(replicationsFrom(origin.getArn())).hasSize(1);
    await().atMost(WAIT).untilAsserted(() -> assertThat(broadcasts.eventReasons("refused", "show"))
        .contains(EventRecorder.REPLICATION_FAILED));
    ivs.refuseReplicationInto(refused.getArn(), false);
  }

  @Test
  void directModeReplicatesNothing() {
    var spec = spec(50, 3, 5, 60, 60);
    spec.setFanOut(FanOut.DIRECT);
    broadcasts.create("direct", "show", spec);
    var stages = stagesOnceFed("direct", 3);
    assertThat(stages).allSatisfy(s -> {
      assertThat(s.getFeed()).isEqualTo(StageStatus.ORIGIN);
      assertThat(s.getSource()).isNull();
    });
    stages.forEach(s -> ivs.publish(s.getArn(), "broadcaster"));
    await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).until(() -> true);
    stages.forEach(s -> assertThat(replicationsFrom(s.getArn())).isEmpty());
  }

  @Test
  void deletingTheBroadcastStopsItsReplicationsFirst() {
    StageStatus origin = origin(broadcast("gone", 3));
    ivs.publish(origin.getArn(), "broadcaster");
    await().atMost(WAIT).until(() -> replicationsFrom(origin.getArn()).size() == 2);
    long stops = ivs.calls("StopParticipantReplication");

    broadcasts.delete("gone", "show");

    await().atMost(WAIT).until(() -> broadcasts.get("gone", "show") == null);
    assertThat(ivs.calls("StopParticipantReplication") - stops).isEqualTo(2);
  }
}
