package dev.stagefleet.operator;

import static dev.stagefleet.operator.Broadcasts.degradedReason;
import static dev.stagefleet.operator.Broadcasts.isReady;
import static dev.stagefleet.operator.Broadcasts.spec;
import static dev.stagefleet.operator.Broadcasts.stageIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagefleet.api.v1alpha1.ConditionTypes;
import dev.stagefleet.api.v1alpha1.LiveBroadcast;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus;
import dev.stagefleet.api.v1alpha1.LiveBroadcastStatus.StageStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The operator end to end against the CRUD mock API server and the in-memory IVS: fast and deterministic. */
@Tag("apiserver")
class LiveBroadcastReconcilerTest {
  static final String REGION = "us-east-1";
  static final String CLUSTER = "test-cluster";
  static final Duration WAIT = Duration.ofSeconds(10);

  static MockApiServer api;
  static KubernetesClient client;
  static InMemoryIvs ivs;
  static OperatorRuntime runtime;
  static Broadcasts broadcasts;

  @BeforeAll
  static void startOperator() {
    api = new MockApiServer();
    client = api.client();
    ivs = new InMemoryIvs(REGION);
    broadcasts = new Broadcasts(client);
    var settings = OperatorSettings.builder()
        .clusterId(CLUSTER)
        .healthPort(0)
        .leaderElection(true).leaseNamespace("stagefleet-system")
        .inventoryRefreshInterval(Duration.ofMillis(200))
        .participantSampleRate(20)
        .resyncInterval(Duration.ofMillis(500))
        .retryBackoff(Duration.ofMillis(200)).maxRetryBackoff(Duration.ofSeconds(1))
        .quotaBackoff(Duration.ofSeconds(2))
        .orphanGracePeriod(Duration.ofSeconds(1)).build();
    runtime = new OperatorRuntime(settings, client, ivs, Clock.systemUTC()).start();
  }

  @AfterAll
  static void stopOperator() {
    runtime.close();
    api.close();
  }

  static long stagesOwnedBy(LiveBroadcast lb) {
    return ivs.stages().stream().filter(s -> StageTags.isOwnedBy(s, CLUSTER, lb.getMetadata().getUid())).count();
  }

  @Test
  void createsTheMinimumStagesAndRecordsThemInStatus() {
    var lb = broadcasts.create("alpha", "show", spec(10, 2, 5, 60, 60));
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("alpha", "show");
      assertThat(status.getReadyStages()).isEqualTo(2);
      assertThat(isReady(status)).isTrue();
      assertThat(status.getPhase()).as("Scaling while the stages are added, then Live").isEqualTo("Live");
    });
    LiveBroadcast current = broadcasts.get("alpha", "show");
    LiveBroadcastStatus status = current.getStatus();
    assertThat(current.getMetadata().getFinalizers()).contains(LiveBroadcast.FINALIZER);
    assertThat(status.getObservedGeneration()).isEqualTo(current.getMetadata().getGeneration());
    assertThat(status.getDesiredStages()).isEqualTo(2);
    assertThat(status.getViewers()).isZero();
    assertThat(status.getLastScaleTime()).isNotNull();
    assertThat(status.getConditions()).extracting(Condition::getType)
        .containsExactly(ConditionTypes.READY, ConditionTypes.SCALING, ConditionTypes.DEGRADED,
            ConditionTypes.SATURATED);
    assertThat(status.getStages()).hasSize(2).allSatisfy(stage -> {
      assertThat(stage.getState()).isEqualTo(StageStatus.ACTIVE);
      assertThat(stage.getArn()).startsWith("arn:aws:ivs:us-east-1:").endsWith("/" + stage.getId());
      assertThat(stage.getEndpoints().getEvents()).startsWith("wss://");
      assertThat(stage.getEndpoints().getWhip()).startsWith("https://");
      assertThat(stage.getCreatedAt()).isNotNull();
    });
    assertThat(stagesOwnedBy(lb)).isEqualTo(2);
    var tags = ivs.stages().stream().filter(s -> StageTags.isOwnedBy(s, CLUSTER, lb.getMetadata().getUid()))
        .findFirst().orElseThrow().tags();
    assertThat(tags).containsEntry(StageTags.MANAGED_BY, "stagefleet").containsEntry(StageTags.NAMESPACE, "alpha")
        .containsEntry(StageTags.NAME, "show").containsEntry(StageTags.CLUSTER, CLUSTER);
    await().atMost(WAIT).untilAsserted(() -> assertThat(broadcasts.eventReasons("alpha", "show"))
        .contains(EventRecorder.STAGE_CREATED, EventRecorder.SCALED_UP));
  }

  @Test
  void followsTheGatewaysReportedAudienceUpAndKeepsTheirReports() {
    var lb = broadcasts.create("beta", "show", spec(10, 1, 5, 1, 1));
    await().atMost(WAIT).until(() -> broadcasts.status("beta", "show").getReadyStages() != null
        && broadcasts.status("beta", "show").getReadyStages() == 1);
    String first = stageIds(broadcasts.status("beta", "show"), null).get(0);

    broadcasts.reportAudience("beta", "show", "gw-1", Map.of(first, 18));
    broadcasts.reportAudience("beta", "show", "gw-2", Map.of(first, 7));
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("beta", "show");
      assertThat(status.getViewers()).as("summed across replicas").isEqualTo(25);
      assertThat(stageIds(status, StageStatus.ACTIVE)).hasSize(3);
    });
    assertThat(stagesOwnedBy(lb)).isEqualTo(3);
    assertThat(broadcasts.status("beta", "show").getAudience())
        .as("the operator's status writes never clobber the gateways' reports").containsKeys("gw-1", "gw-2");
  }

  @Test
  void drainsAndThenDeletesStagesAfterTheWindowWhenTheAudienceFalls() {
    var lb = broadcasts.create("gamma", "show", spec(10, 1, 5, 1, 4));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("gamma", "show"), null).size() == 1);
    String first = stageIds(broadcasts.status("gamma", "show"), null).get(0);
    broadcasts.reportAudience("gamma", "show", "gw-1", Map.of(first, 30));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("gamma", "show"), StageStatus.ACTIVE).size() == 3);
    var ids = stageIds(broadcasts.status("gamma", "show"), null);
    String second = ids.stream().filter(id -> !id.equals(first)).findFirst().orElseThrow();

    // viewers stay on one extra stage: it must drain, and only go once its drain timeout passed
    broadcasts.reportAudience("gamma", "show", "gw-1", Map.of(first, 5, second, 2));
    await().atMost(WAIT).untilAsserted(() -> {
      // the gateway reports again on its timer; the empty stage goes once a report after its drain began shows it empty
      broadcasts.reportAudience("gamma", "show", "gw-1", Map.of(first, 5, second, 2));
      LiveBroadcastStatus status = broadcasts.status("gamma", "show");
      assertThat(stageIds(status, StageStatus.ACTIVE)).containsExactly(first);
      assertThat(stageIds(status, StageStatus.DRAINING)).containsExactly(second);
      assertThat(status.stagesOrEmpty().stream().filter(s -> s.getId().equals(second)).findFirst().orElseThrow()
          .getDrainingSince()).isNotNull();
      assertThat(status.condition(ConditionTypes.SCALING).orElseThrow().getReason()).isEqualTo("Draining");
    });
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(stageIds(broadcasts.status("gamma", "show"), null)).containsExactly(first);
      assertThat(stagesOwnedBy(lb)).isEqualTo(1);
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(broadcasts.eventReasons("gamma", "show"))
        .contains(EventRecorder.DRAINING, EventRecorder.STAGE_DELETED));
  }

  @Test
  void usesTheLargerOfTheGatewayReportAndTheSampledIvsCount() {
    broadcasts.create("delta", "show", spec(10, 1, 5, 60, 60));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("delta", "show"), null).size() == 1);
    StageStatus stage = broadcasts.status("delta", "show").getStages().get(0);
    ivs.subscribers(stage.getArn(), 15);
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("delta", "show");
      assertThat(status.getViewers()).isEqualTo(15);
      assertThat(stageIds(status, StageStatus.ACTIVE)).hasSize(2);
    });
  }

  @Test
  void anInvalidSpecIsDegradedWithEveryViolationAndCallsNoIvs() {
    long creates = ivs.calls("CreateStage");
    var bad = spec(0, 4, 2, 60, 60);
    MockApiServer.beforeTheSchemaTightened(api.client(), () -> broadcasts.create("epsilon", "bad", bad));
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("epsilon", "bad");
      assertThat(degradedReason(status)).isEqualTo(ConditionTypes.REASON_INVALID_SPEC);
      assertThat(status.getPhase()).isEqualTo("Degraded");
      assertThat(status.condition(ConditionTypes.DEGRADED).orElseThrow().getMessage())
          .contains("spec.viewersPerStage must be between 1 and 10000")
          .contains("spec.minStages (4) must not exceed spec.maxStages (2)");
      assertThat(isReady(status)).isFalse();
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(broadcasts.eventReasons("epsilon", "bad"))
        .contains(EventRecorder.INVALID_SPEC));
    assertThat(ivs.calls("CreateStage")).isEqualTo(creates);

    broadcasts.editSpec("epsilon", "bad", s -> {
      s.setViewersPerStage(10);
      s.setMinStages(1);
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(isReady(broadcasts.status("epsilon", "bad"))).isTrue());
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenAConditionsStatusChanges() throws Exception {
    broadcasts.create("zeta", "show", spec(10, 1, 3, 60, 60));
    await().atMost(WAIT).until(() -> isReady(broadcasts.status("zeta", "show")));
    Condition ready = broadcasts.status("zeta", "show").condition(ConditionTypes.READY).orElseThrow();
    String first = stageIds(broadcasts.status("zeta", "show"), null).get(0);
    broadcasts.reportAudience("zeta", "show", "gw-1", Map.of(first, 12));
    await().atMost(WAIT).until(() -> broadcasts.status("zeta", "show").getReadyStages() == 2);
    assertThat(broadcasts.status("zeta", "show").condition(ConditionTypes.READY).orElseThrow()
        .getLastTransitionTime()).isEqualTo(ready.getLastTransitionTime());
  }

  @Test
  void viewersWaitingForASeatScaleAFullBroadcastAtTargetFillOne() {
    broadcasts.create("wait", "show", spec(4, 1, 3, 60, 60));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("wait", "show"), null).size() == 1);
    String first = stageIds(broadcasts.status("wait", "show"), null).get(0);

    broadcasts.reportAudience("wait", "show", "gw-1", Map.of(first, 4), 3, Instant.now());
    broadcasts.reportAudience("wait", "show", "gw-2", Map.of(), 2, Instant.now());

    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("wait", "show");
      assertThat(status.getViewers()).isEqualTo(4);
      assertThat(status.getWaiting()).as("summed across replicas").isEqualTo(5);
      assertThat(status.getDesiredStages()).as("ceil((4 + 5) / 4) = 3").isEqualTo(3);
      assertThat(stageIds(status, StageStatus.ACTIVE)).hasSize(3);
      assertThat(status.condition(ConditionTypes.SATURATED).orElseThrow().getStatus()).isEqualTo("False");
    });
  }

  @Test
  void viewersWaitingBeyondMaxStagesSaturateTheBroadcastWithAWarning() {
    broadcasts.create("full", "show", spec(4, 1, 1, 60, 60));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("full", "show"), null).size() == 1);
    String first = stageIds(broadcasts.status("full", "show"), null).get(0);

    broadcasts.reportAudience("full", "show", "gw-1", Map.of(first, 4), 6, Instant.now());

    await().atMost(WAIT).untilAsserted(() -> {
      var saturated = broadcasts.status("full", "show").condition(ConditionTypes.SATURATED).orElseThrow();
      assertThat(saturated.getStatus()).isEqualTo("True");
      assertThat(saturated.getMessage()).contains("6 viewers are waiting", "maxStages (1");
      assertThat(broadcasts.eventReasons("full", "show")).contains(EventRecorder.SATURATED);
    });
    assertThat(stageIds(broadcasts.status("full", "show"), null)).hasSize(1);
  }

  @Test
  void neverGoesAboveMaxStages() {
    broadcasts.create("eta", "show", spec(10, 1, 2, 60, 60));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("eta", "show"), null).size() == 1);
    String first = stageIds(broadcasts.status("eta", "show"), null).get(0);
    broadcasts.reportAudience("eta", "show", "gw-1", Map.of(first, 500));
    await().atMost(WAIT).until(() -> broadcasts.status("eta", "show").getViewers() == 500);
    LiveBroadcastStatus status = broadcasts.status("eta", "show");
    assertThat(status.getDesiredStages()).isEqualTo(2);
    assertThat(stageIds(status, null)).hasSize(2);
  }

  @Test
  void adoptsATaggedStageMissingFromTheStatusInsteadOfCreatingAnother() {
    var lb = broadcasts.create("theta", "show", spec(10, 2, 5, 60, 60));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("theta", "show"), null).size() == 2);
    // a stage created just before a crash: in IVS with the broadcast's tags, not in its status
    var orphan = ivs.put("theta-show-crashed", StageTags.of(CLUSTER, broadcasts.get("theta", "show")));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(stageIds(broadcasts.status("theta", "show"), null)).contains(orphan.id()));
    assertThat(stagesOwnedBy(lb)).isEqualTo(3);
    // Events are written on a thread of their own after the pass's status write
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(broadcasts.eventReasons("theta", "show")).contains(EventRecorder.ADOPTED));
  }

  @Test
  void aStageAdoptedAboveMaxStagesIsNotDeletedUnderViewersNotCountedYet() {
    // after a restart: the operator made its own stage, then the create in flight before the restart lands
    var lb = broadcasts.create("sigma", "show", spec(10, 1, 1, 60, 600));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("sigma", "show"), null).size() == 1);
    String own = stageIds(broadcasts.status("sigma", "show"), null).get(0);
    broadcasts.reportAudience("sigma", "show", "gw-1", Map.of(own, 1));
    await().atMost(WAIT).until(() -> broadcasts.status("sigma", "show").getViewers() == 1);
    var landed = ivs.put("iota-show-in-flight", StageTags.of(CLUSTER, broadcasts.get("sigma", "show")));
    // its viewers are connected in IVS, but nobody has counted them: no sample yet, no gateway report lists them
    ivs.subscribers(landed.arn(), 3);

    // above maxStages, the adopted stage looks emptiest: it drains, and stays while its viewers are there
    await().atMost(WAIT).untilAsserted(() -> assertThat(stageIds(broadcasts.status("sigma", "show"),
        StageStatus.DRAINING)).containsExactly(landed.id()));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      assertThat(ivs.stages()).extracting(s -> s.arn()).contains(landed.arn());
      assertThat(stageIds(broadcasts.status("sigma", "show"), null)).contains(landed.id());
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(broadcasts.eventReasons("sigma", "show"))
        .contains(EventRecorder.ADOPTED).doesNotContain(EventRecorder.STAGE_DELETED));

    // its viewers leave; a gateway report made after the drain began finds it empty, and it goes
    ivs.subscribers(landed.arn(), 0);
    await().atMost(WAIT).untilAsserted(() -> {
      broadcasts.reportAudience("sigma", "show", "gw-1", Map.of(own, 1));
      assertThat(stageIds(broadcasts.status("sigma", "show"), null)).containsExactly(own);
      assertThat(stagesOwnedBy(lb)).isEqualTo(1);
    });
  }

  @Test
  void healthReadinessAndMetricsAreServed() throws Exception {
    broadcasts.create("iota", "show", spec(10, 1, 3, 60, 60));
    await().atMost(WAIT).until(() -> isReady(broadcasts.status("iota", "show")));
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + runtime.healthPort();
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode()).isEqualTo(200));
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    var metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("stagefleet_stages{state=\"active\"}")
        .contains("stagefleet_viewers")
        .contains("stagefleet_operator_ivs_calls_seconds_count{operation=\"CreateStage\",outcome=\"success\"}")
        .contains("operator_sdk_");
    var missing = http.send(HttpRequest.newBuilder(URI.create(base + "/nope")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("\"error\"");
  }

  @Test
  void twoBroadcastsNeverTouchEachOthersStages() {
    var a = broadcasts.create("kappa", "a", spec(10, 2, 5, 0, 0));
    var b = broadcasts.create("kappa", "b", spec(10, 1, 5, 0, 0));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("kappa", "a"), null).size() == 2
        && stageIds(broadcasts.status("kappa", "b"), null).size() == 1);
    Set<String> ofB = Set.copyOf(stageIds(broadcasts.status("kappa", "b"), null));
    broadcasts.delete("kappa", "a");
    await().atMost(WAIT).until(() -> broadcasts.get("kappa", "a") == null);
    assertThat(stagesOwnedBy(a)).isZero();
    assertThat(stagesOwnedBy(b)).isEqualTo(1);
    assertThat(Set.copyOf(stageIds(broadcasts.status("kappa", "b"), null))).isEqualTo(ofB);
  }

  @Test
  void quotaExceededIsDegradedAndBacksOffInsteadOfRetryingInAStorm() {
    ivs.stageQuota(ivs.stages().size() + 1);
    try {
      broadcasts.create("lambda", "show", spec(10, 3, 5, 60, 60));
      await().atMost(WAIT).untilAsserted(() -> {
        LiveBroadcastStatus status = broadcasts.status("lambda", "show");
        assertThat(degradedReason(status)).isEqualTo(ConditionTypes.REASON_QUOTA_EXCEEDED);
        assertThat(status.getReadyStages()).isEqualTo(1);
        assertThat(status.getPhase()).isEqualTo("Degraded");
      });
      long creates = ivs.calls("CreateStage");
      await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(4)).untilAsserted(() ->
          assertThat(ivs.calls("CreateStage") - creates).as("no retry storm while paused").isLessThanOrEqualTo(1));
      assertThat(broadcasts.eventReasons("lambda", "show")).contains(EventRecorder.QUOTA_EXCEEDED);
    } finally {
      ivs.stageQuota(1000);
    }
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("lambda", "show");
      assertThat(status.getReadyStages()).isEqualTo(3);
      assertThat(isReady(status)).isTrue();
    });
  }

  @Test
  void anIvsOutageIsDegradedUntilItHealsThenReadyAgain() {
    broadcasts.create("mu", "show", spec(10, 1, 5, 60, 60));
    await().atMost(WAIT).until(() -> isReady(broadcasts.status("mu", "show")));
    ivs.outage(true);
    try {
      await().atMost(WAIT).untilAsserted(() -> {
        LiveBroadcastStatus status = broadcasts.status("mu", "show");
        assertThat(degradedReason(status)).isEqualTo(ConditionTypes.REASON_IVS_UNAVAILABLE);
        assertThat(isReady(status)).isFalse();
        assertThat(status.getStages()).as("the stages are kept in status").hasSize(1);
      });
    } finally {
      ivs.outage(false);
    }
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("mu", "show");
      assertThat(isReady(status)).isTrue();
      assertThat(degradedReason(status)).isNull();
      assertThat(status.getPhase()).isEqualTo("Live");
    });
  }

  @Test
  void deletingABroadcastDeletesItsStages() {
    var lb = broadcasts.create("nu", "show", spec(10, 2, 5, 60, 60));
    await().atMost(WAIT).until(() -> stagesOwnedBy(lb) == 2 && isReady(broadcasts.status("nu", "show")));
    broadcasts.delete("nu", "show");
    await().atMost(WAIT).until(() -> broadcasts.get("nu", "show") == null);
    assertThat(stagesOwnedBy(lb)).isZero();
  }

  @Test
  void theRetainPolicyKeepsTheStagesAndStopsManagingThem() {
    var lb = broadcasts.create("xi", "show", spec(10, 2, 5, 60, 60),
        Map.of(LiveBroadcast.DELETION_POLICY_ANNOTATION, "retain"));
    await().atMost(WAIT).until(() -> stagesOwnedBy(lb) == 2 && isReady(broadcasts.status("xi", "show")));
    var arns = ivs.stages().stream().filter(s -> StageTags.isOwnedBy(s, CLUSTER, lb.getMetadata().getUid()))
        .map(s -> s.arn()).toList();
    broadcasts.delete("xi", "show");
    await().atMost(WAIT).until(() -> broadcasts.get("xi", "show") == null);
    // well past the orphan grace period: retained stages are not orphans
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
        assertThat(ivs.stages()).filteredOn(s -> arns.contains(s.arn())).hasSize(2)
            .allSatisfy(s -> assertThat(s.tags()).containsEntry(StageTags.MANAGED_BY, StageTags.RETAINED)));
  }

  @Test
  void deletionWaitsThroughIvsFailuresAndThenDeletesTheStages() {
    var lb = broadcasts.create("omicron", "show", spec(10, 2, 5, 60, 60));
    await().atMost(WAIT).until(() -> stagesOwnedBy(lb) == 2 && isReady(broadcasts.status("omicron", "show")));
    ivs.outage(true);
    try {
      broadcasts.delete("omicron", "show");
      await().atMost(WAIT).untilAsserted(() -> {
        LiveBroadcast current = broadcasts.get("omicron", "show");
        assertThat(current).isNotNull();
        assertThat(current.getMetadata().getFinalizers()).contains(LiveBroadcast.FINALIZER);
        assertThat(current.getStatus().getPhase()).isEqualTo("Deleting");
        assertThat(degradedReason(current.getStatus())).isEqualTo(ConditionTypes.REASON_IVS_UNAVAILABLE);
      });
      assertThat(stagesOwnedBy(lb)).isEqualTo(2);
    } finally {
      ivs.outage(false);
    }
    await().atMost(WAIT).until(() -> broadcasts.get("omicron", "show") == null);
    assertThat(stagesOwnedBy(lb)).isZero();
  }

  @Test
  void collectsOrphansAfterTheGracePeriodAndLeavesOtherClustersAlone() {
    var gone = new LiveBroadcast();
    gone.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace("pi").withName("gone")
        .withUid("00000000-dead-beef-0000-000000000000").build());
    var orphan = ivs.put("pi-gone-orphan", StageTags.of(CLUSTER, gone));
    var foreign = ivs.put("pi-gone-foreign", StageTags.of("another-cluster", gone));
    long start = System.nanoTime();
    await().atMost(WAIT).until(() -> ivs.stages().stream().noneMatch(s -> s.arn().equals(orphan.arn())));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("kept for the grace period")
        .isGreaterThanOrEqualTo(runtime.settings().orphanGracePeriod());
    // through the following sweeps (four a second here) too, not only the one that collected the orphan
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(ivs.stages()).extracting(s -> s.arn()).contains(foreign.arn()));
  }

  @Test
  void reconcilesAsTheHolderOfTheLease() {
    await().atMost(WAIT).until(runtime::isLeader);
    var lease = client.resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class)
        .inNamespace("stagefleet-system").withName(OperatorSettings.DEFAULT_LEASE_NAME).get();
    assertThat(lease).isNotNull();
    assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
  }

  @Test
  void aSecondReplicaOnTheSameHostStandsByWhileTheLeaseIsHeld() {
    await().atMost(WAIT).until(runtime::isLeader);
    var standby = new OperatorRuntime(runtime.settings().toBuilder().healthPort(-1)
        .build(), client, ivs, Clock.systemUTC()).start();
    try {
      // candidates retry every 2 s: two tries that must both find the Lease held by the first replica
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> !standby.isLeader());
      assertThat(runtime.isLeader()).isTrue();
    } finally {
      standby.close();
    }
  }

  @Test
  void aBigAudienceJumpIsMetInQuickPassesWithoutOvershooting() {
    var lb = broadcasts.create("rho", "show", spec(10, 1, 30, 60, 60));
    await().atMost(WAIT).until(() -> stageIds(broadcasts.status("rho", "show"), null).size() == 1);
    String first = stageIds(broadcasts.status("rho", "show"), null).get(0);
    broadcasts.reportAudience("rho", "show", "gw-1", Map.of(first, 245));
    await().atMost(WAIT).untilAsserted(() -> {
      LiveBroadcastStatus status = broadcasts.status("rho", "show");
      assertThat(status.getDesiredStages()).isEqualTo(25);
      assertThat(stageIds(status, StageStatus.ACTIVE)).hasSize(25);
      assertThat(isReady(status)).isTrue();
    });
    assertThat(stagesOwnedBy(lb)).isEqualTo(25);
  }
}
