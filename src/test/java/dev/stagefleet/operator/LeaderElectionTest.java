package dev.stagefleet.operator;

import static dev.stagefleet.operator.Broadcasts.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Losing the leader Lease: the replica stops every step at once and ends with a failure, so it is restarted. */
@Tag("apiserver")
class LeaderElectionTest {
  static final String LEASE_NAMESPACE = "stagefleet-system";

  MockApiServer api;
  InMemoryIvs ivs;
  OperatorRuntime leader;
  OperatorRuntime standby;

  @BeforeEach
  void start() {
    api = new MockApiServer();
    ivs = new InMemoryIvs("us-east-1");
    var settings = OperatorSettings.builder()
        .clusterId("lease")
        .healthPort(-1)
        .leaderElection(true).leaseNamespace(LEASE_NAMESPACE)
        .serverSideApply(false)
        .inventoryRefreshInterval(Duration.ofMillis(200))
        .participantSampleRate(0)
        .resyncInterval(Duration.ofMillis(500))
        .orphanGracePeriod(Duration.ofSeconds(1)).build();
    leader = new OperatorRuntime(settings, api.client(), ivs, Clock.systemUTC()).start();
    await().atMost(Duration.ofSeconds(10)).until(leader::isLeader);
    standby = new OperatorRuntime(settings, api.client(), ivs, Clock.systemUTC()).start();
  }

  @AfterEach
  void stop() {
    ivs.releaseCreates();
    standby.close();
    leader.close();
    api.close();
  }

  @Test
  void aLeaderThatLosesTheLeaseStopsMidReconcileAndEndsWithAFailureSayingWhy() {
    var broadcasts = new Broadcasts(api.client());
    ivs.holdCreates();
    broadcasts.create("lease", "show", spec(10, 3, 5, 60, 60));
    // the leader is inside its first scale-up pass, its first CreateStage in flight
    await().atMost(Duration.ofSeconds(10)).until(() -> ivs.createsHeld() == 1);

    api.takeLease(LEASE_NAMESPACE, OperatorSettings.DEFAULT_LEASE_NAME, "another-replica");
    await().atMost(Duration.ofSeconds(8)).until(() -> leader.termination().isDone());
    assertThat(leader.isLeader()).isFalse();
    assertThat(leader.termination()).isCompletedExceptionally();
    assertThat(leader.termination().handle((v, e) -> e).join())
        .isInstanceOf(OperatorRuntime.LeaseLostException.class)
        .hasMessageContaining("lost the leader Lease " + OperatorSettings.DEFAULT_LEASE_NAME)
        .hasMessageContaining("another-replica");

    // the call already sent ends (or is cut off by the stop); nothing after it happens: no further create, no
    // status write
    ivs.releaseCreates();
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      assertThat(ivs.calls("CreateStage")).isLessThanOrEqualTo(1);
      assertThat(broadcasts.status("lease", "show").getStages()).as("no status written after the loss").isNull();
    });
    assertThat(standby.isLeader()).as("the Lease is another replica's").isFalse();
  }
}
