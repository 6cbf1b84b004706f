package dev.stagefleet.operator;

import static dev.stagefleet.operator.Broadcasts.degradedReason;
import static dev.stagefleet.operator.Broadcasts.isReady;
import static dev.stagefleet.operator.Broadcasts.spec;
import static dev.stagefleet.operator.Broadcasts.stageIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.emulator.EmulatorSettings;
import dev.stagefleet.emulator.IvsEmulator;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.IvsRetryPolicy;
import dev.stagefleet.ivs.IvsService;
import dev.stagefleet.ivs.SdkIvsService;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The operator against the CRUD mock API server and the IVS emulator over HTTP, through the real IVS client with its
 * shared rate limits: the scenarios of issue 3, including faults, quotas, crash recovery and deletion policies.
 */
@Tag("apiserver")
class OperatorAgainstEmulatorTest {
  static final String CLUSTER = "e2e";
  static final Duration WAIT = Duration.ofSeconds(20);

  static MockApiServer api;
  static KubernetesClient client;
  static IvsEmulator emulator;
  static IvsRateLimits limits;
  static SdkIvsService operatorIvs;
  /** What the tests themselves use to look at and plant stages, on the same rate limits as the operator. */
  static SdkIvsService testIvs;
  static OperatorRuntime runtime;
  static Broadcasts broadcasts;

  @BeforeAll
  static void start() {
    api = new MockApiServer();
    client = api.client();
    broadcasts = new Broadcasts(client);
    emulator = IvsEmulator.start(EmulatorSettings.builder().port(0).build());
    limits = new IvsRateLimits();
    IvsRetryPolicy quickRetries = new IvsRetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1), 0.5);
    operatorIvs = SdkIvsService.builder(emulator.region(), limits).endpoint(emulator.endpoint())
        .retryPolicy(quickRetries).build();
    testIvs = SdkIvsService.builder(emulator.region(), limits).endpoint(emulator.endpoint())
        .retryPolicy(quickRetries).build();
    var settings = OperatorSettings.builder()
        .region(emulator.region())
        .clusterId(CLUSTER)
        .healthPort(-1)
        .leaderElection(false)
        .inventoryRefreshInterval(Duration.ofSeconds(1))
        .resyncInterval(Duration.ofSeconds(1))
        .retryBackoff(Duration.ofMillis(300)).maxRetryBackoff(Duration.ofSeconds(2))
        .quotaBackoff(Duration.ofSeconds(3))
        .orphanGracePeriod(Duration.ofSeconds(2)).build();
    runtime = new OperatorRuntime(settings, client, operatorIvs, Clock.systemUTC()).start();
  }

  @AfterAll
  static void stop() {
    runtime.close();
    operatorIvs.close();
    testIvs.close();
    emulator.close();
    api.close();
  }

  @AfterEach
  void theRateLimitsHeld() {
    emulator.faults().clear();
    assertThat(emulator.stats().throttled()).as("429s answered by the emulator").isZero();
  }

  /** The stage ARNs in a broadcast's status. */
  static List<String> arnsOf(String namespace, String name) {
    return broadcasts.status(namespace, name).stagesOrEmpty().stream().map(StageStatus::getArn).toList();
  }

  /** Every stage in the emulator, read in-process (free: no IVS call, no rate limit spent). */
  static List<String> emulatorStages() {
    return emulator.stages();
  }

  /** The stages IVS holds with the broadcast's tags (one ListStages; keep it out of polling loops). */
  static List<IvsService.Stage> stagesOf(LiveBroadcast lb) {
    return testIvs.listStages().stream()
        .filter(s -> StageTags.isOwnedBy(s, CLUSTER, lb.getMetadata().getUid())).toList();
  }

  static List<String> idsOf(LiveBroadcast lb) {
    return stagesOf(lb).stream().map(IvsService.Stage::id).sorted().toList();
  }

  @Test
  void followsTheAudienceUpAndDownWithinMinAndMax() {
    var lb = broadcasts.create("up-down", "show", spec(10, 1, 3, 1, 4));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("up-down", "show"), StageStatus.ACTIVE).size() == 1);
    String first = stageIds(broadcasts.status("up-down", "show"), null).get(0);

    broadcasts.reportAudience("up-down", "show", "gw-1", Map.of(first, 25));
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("up-down", "show");
      assertThat(stageIds(status, StageStatus.ACTIVE)).hasSize(3);
      assertThat(isReady(status)).isTrue();
      assertThat(status.getStages()).allSatisfy(s -> assertThat(s.getEndpoints().getWhip()).isNotBlank());
    });
    assertThat(idsOf(lb)).isEqualTo(stageIds(broadcasts.status("up-down", "show"), null).stream().sorted().toList());

    broadcasts.reportAudience("up-down", "show", "gw-1", Map.of(first, 500));
    await().atMost(WAIT).until(() -> broadcasts.status("up-down", "show").getViewers() == 500);
    assertThat(broadcasts.status("up-down", "show").getDesiredStages()).as("maxStages").isEqualTo(3);
    assertThat(stagesOf(lb)).hasSize(3);

    String second = stageIds(broadcasts.status("up-down", "show"), null).stream().filter(id -> !id.equals(first))
        .findFirst().orElseThrow();
    // the fullest stage stays, the emptiest goes once a report after its drain began finds it empty (the gateway
    // reports on its timer), the one with a few viewers drains until its timeout
    broadcasts.reportAudience("up-down", "show", "gw-1", Map.of(first, 5, second, 3));
    await().atMost(WAIT).untilAsserted(() -> {
      broadcasts.reportAudience("up-down", "show", "gw-1", Map.of(first, 5, second, 3));
      LiveBroadcastStatus status = broadcasts.status("up-down", "show");
      assertThat(stageIds(status, StageStatus.DRAINING)).containsExactly(second);
      assertThat(stageIds(status, StageStatus.ACTIVE)).containsExactly(first);
    });
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(stageIds(broadcasts.status("up-down", "show"), null)).containsExactly(first));
    broadcasts.reportAudience("up-down", "show", "gw-1", Map.of(first, 0));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
        assertThat(stageIds(broadcasts.status("up-down", "show"), null)).as("minStages").containsExactly(first));
    assertThat(idsOf(lb)).containsExactly(first);
  }

  @Test
  void twoBroadcastsNeverTouchEachOthersStages() {
    var a = broadcasts.create("pair", "a", spec(10, 2, 4, 0, 0));
    var b = broadcasts.create("pair", "b", spec(10, 1, 4, 0, 0));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("pair", "a"), null).size() == 2
        && stageIds(broadcasts.status("pair", "b"), null).size() == 1);
    List<String> ofB = arnsOf("pair", "b");
    broadcasts.reportAudience("pair", "a", "gw-1", Map.of(stageIds(broadcasts.status("pair", "a"), null).get(0), 35));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("pair", "a"), StageStatus.ACTIVE).size() == 4);
    List<String> ofA = arnsOf("pair", "a");
    assertThat(stagesOf(a)).extracting(IvsService.Stage::arn).containsExactlyInAnyOrderElementsOf(ofA);

    broadcasts.delete("pair", "a");
    await().atMost(WAIT).until(() -> broadcasts.get("pair", "a") == null);
    assertThat(emulatorStages()).doesNotContainAnyElementsOf(ofA).containsAll(ofB);
    assertThat(arnsOf("pair", "b")).containsExactlyElementsOf(ofB);
    assertThat(stagesOf(b)).extracting(IvsService.Stage::arn).containsExactlyElementsOf(ofB);
  }

  @Test
  void adoptsAStageCreatedJustBeforeACrashInsteadOfDuplicatingIt() {
    // the operator is down: the resource gets no status, and the stage its last act created is in IVS
    var settings = runtime.settings();
    runtime.close();
    var lb = broadcasts.create("crash", "show", spec(10, 2, 4, 60, 60));
    var planted = testIvs.createStage("crash-show-before", StageTags.of(CLUSTER, lb));
    // the same resource as another cluster sharing the account knows it: not ours to adopt or collect
    var otherClusters = testIvs.createStage("crash-show-other", StageTags.of("another-cluster", lb));
    assertThat(broadcasts.get("crash", "show").getStatus()).isNull();

    runtime = new OperatorRuntime(settings, client, operatorIvs, Clock.systemUTC()).start();
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("crash", "show");
      assertThat(stageIds(status, StageStatus.ACTIVE)).hasSize(2).contains(planted.id());
      assertThat(status.getStages()).filteredOn(s -> s.getId().equals(planted.id()))
          .allSatisfy(s -> assertThat(s.getEndpoints().getEvents()).isNotBlank());
    });
    assertThat(stagesOf(lb)).as("one adopted, one created, no duplicate").hasSize(2);
    await().atMost(WAIT).untilAsserted(() -> assertThat(broadcasts.eventReasons("crash", "show"))
        .contains(EventRecorder.ADOPTED));
    assertThat(arnsOf("crash", "show")).doesNotContain(otherClusters.arn());
    assertThat(emulatorStages()).contains(otherClusters.arn());
    testIvs.deleteStage(otherClusters.arn());
  }

  @Test
  void collectsOrphansAfterTheGracePeriodAndLeavesAnotherClustersStagesAlone() {
    var gone = new LiveBroadcast();
    gone.setMetadata(new ObjectMetaBuilder().withNamespace("orphans").withName("deleted")
        .withUid(UUID.randomUUID().toString()).build());
    var orphan = testIvs.createStage("orphans-deleted-a", StageTags.of(CLUSTER, gone));
    var foreign = testIvs.createStage("orphans-deleted-b", StageTags.of("another-cluster", gone));
    long start = System.nanoTime();
    await().atMost(WAIT).until(() -> !emulatorStages().contains(orphan.arn()));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    // through the following sweeps (one a second here) too, not only the one that collected the orphan
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
        .until(() -> emulatorStages().contains(foreign.arn()));
    testIvs.deleteStage(foreign.arn());
  }

  @Test
  void convergesThroughInjectedServerErrorsAndThrottlingWithoutDuplicates() {
    long injectedBefore = emulator.stats().injectedErrors();
    emulator.faults().errorRate(0.2).throttling(true);
    var lb = broadcasts.create("faults", "show", spec(10, 4, 6, 1, 1));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("faults", "show"), StageStatus.ACTIVE).size() >= 1);
    String first = stageIds(broadcasts.status("faults", "show"), null).get(0);
    broadcasts.reportAudience("faults", "show", "gw-1", Map.of(first, 55));
    // scale up under the faults until they have failed a few calls, then let the operator converge
    await().atMost(WAIT).until(() -> emulator.stats().injectedErrors() - injectedBefore >= 3);
    emulator.faults().errorRate(0);
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("faults", "show");
      assertThat(stageIds(status, StageStatus.ACTIVE)).hasSize(6);
      assertThat(isReady(status)).isTrue();
    });
    // a create that failed after IVS made the stage is adopted, then drained as surplus: wait for it to settle
    await().atMost(WAIT).until(() -> broadcasts.status("faults", "show").getStages().size() == 6
        && emulatorStages().containsAll(arnsOf("faults", "show")));
    assertThat(idsOf(lb)).as("IVS holds exactly the stages in the status")
        .isEqualTo(stageIds(broadcasts.status("faults", "show"), null).stream().sorted().toList());
    assertThat(emulator.stats().injectedErrors() - injectedBefore).as("faults were injected").isPositive();
  }

  @Test
  void quotaExceededIsDegradedAndDoesNotRetryInAStorm() {
    int existing = emulator.stages().size();
    emulator.quotas().stages(existing + 1);
    try {
      broadcasts.create("quota", "show", spec(10, 3, 5, 60, 60));
      await().atMost(WAIT).untilAsserted(() -> {
        LiveBroadcastStatus status = broadcasts.status("quota", "show");
        assertThat(degradedReason(status)).isEqualTo(ConditionTypes.REASON_QUOTA_EXCEEDED);
        assertThat(status.getReadyStages()).isEqualTo(1);
      });
      long creates = emulator.stats().calls("CreateStage");
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
          assertThat(emulator.stats().calls("CreateStage") - creates).as("paused, not storming")
              .isLessThanOrEqualTo(1));
      assertThat(broadcasts.eventReasons("quota", "show")).contains(EventRecorder.QUOTA_EXCEEDED);
    } finally {
      emulator.quotas().stages(1000);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(isReady(broadcasts.status("quota", "show"))).isTrue());
  }

  @Test
  void anOutageIsIvsUnavailableAndReadyReturnsWhenItHeals() {
    broadcasts.create("outage", "show", spec(10, 1, 3, 60, 60));
    await().atMost(WAIT).until(() -> isReady(broadcasts.status("outage", "show")));
    emulator.faults().outage(true);
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("outage", "show");
      assertThat(degradedReason(status)).isEqualTo(ConditionTypes.REASON_IVS_UNAVAILABLE);
      assertThat(status.condition(ConditionTypes.DEGRADED).orElseThrow().getMessage())
          .contains("IVS cannot be reached or keeps failing").contains("ServiceUnavailableException")
          .contains("recovers by itself");
      assertThat(isReady(status)).isFalse();
    });
    emulator.faults().outage(false);
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("outage", "show");
      assertThat(isReady(status)).isTrue();
      assertThat(degradedReason(status)).isNull();
    });
  }

  @Test
  void accessDeniedIsItsOwnReasonNamingTheDeniedActionAndTheFix() {
    broadcasts.create("denied", "show", spec(10, 1, 3, 60, 60));
    await().atMost(WAIT).until(() -> isReady(broadcasts.status("denied", "show")));
    emulator.faults().accessDenied(true);
    try {
      await().atMost(WAIT).untilAsserted(() -> {
        LiveBroadcastStatus status = broadcasts.status("denied", "show");
        assertThat(degradedReason(status)).isEqualTo(ConditionTypes.REASON_ACCESS_DENIED);
        assertThat(status.condition(ConditionTypes.DEGRADED).orElseThrow().getMessage())
            .contains("ivs:ListStages denied for the operator's role")
            .contains("grant ivs:ListStages in the IAM policy of the operator's role");
      });
    } finally {
      emulator.faults().accessDenied(false);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(isReady(broadcasts.status("denied", "show"))).isTrue());
  }

  @Test
  void deletionDeletesTheStagesOrRetainsThemByPolicy() {
    broadcasts.create("delete", "show", spec(10, 2, 3, 60, 60));
    broadcasts.create("delete", "kept", spec(10, 2, 3, 60, 60),
        Map.of(LiveBroadcast.DELETION_POLICY_ANNOTATION, "retain"));
    await().atMost(WAIT).until(() -> isReady(broadcasts.status("delete", "show"))
        && isReady(broadcasts.status("delete", "kept")));
    List<String> deleted = arnsOf("delete", "show");
    List<String> kept = arnsOf("delete", "kept");
    assertThat(deleted).hasSize(2);
    assertThat(kept).hasSize(2);

    broadcasts.delete("delete", "show");
    broadcasts.delete("delete", "kept");
    await().atMost(WAIT)
        .until(() -> broadcasts.get("delete", "show") == null && broadcasts.get("delete", "kept") == null);
    assertThat(emulatorStages()).doesNotContainAnyElementsOf(deleted);
    // past the orphan grace period, the retained stages are still there
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> emulatorStages().containsAll(kept));
    kept.forEach(testIvs::deleteStage);
  }

  @Test
  void deletionRetriesThroughAnOutageAndThenDeletesTheStages() {
    broadcasts.create("delete-outage", "show", spec(10, 2, 3, 60, 60));
    await().atMost(WAIT).until(() -> isReady(broadcasts.status("delete-outage", "show")));
    List<String> arns = arnsOf("delete-outage", "show");
    emulator.faults().outage(true);
    broadcasts.delete("delete-outage", "show");
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcast current = broadcasts.get("delete-outage", "show");
      assertThat(current).as("the finalizer holds the resource").isNotNull();
      assertThat(current.getStatus().getPhase()).isEqualTo("Deleting");
    });
    assertThat(emulatorStages()).containsAll(arns);
    emulator.faults().outage(false);
    await().atMost(WAIT).until(() -> broadcasts.get("delete-outage", "show") == null);
    assertThat(emulatorStages()).doesNotContainAnyElementsOf(arns);
  }
}
