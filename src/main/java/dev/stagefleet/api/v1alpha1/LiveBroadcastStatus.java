package dev.stagefleet.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the operator observed and did. Every field but {@code audience} is written by the operator; {@code audience}
 * is written by the gateways, and the operator never writes it (null fields are left out of a merge patch).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LiveBroadcastStatus extends LenientlyRead {
  @JsonPropertyDescription("metadata.generation of the spec this status reflects.")
  private Long observedGeneration;

  @JsonPropertyDescription("Pending, Live, Scaling, Degraded or Deleting.")
  private String phase;

  @JsonPropertyDescription("Viewers observed across all stages.")
  private Integer viewers;
  @JsonPropertyDescription("Viewers the gateways hold for a seat because every stage is full (fresh reports only).")
  private Integer waiting;

  @JsonPropertyDescription("Stages the scaling policy wants.")
  private Integer desiredStages;

  @JsonPropertyDescription("Active stages viewers can be placed on.")
  private Integer readyStages;

  @JsonPropertyDescription("When a stage was last added or drained (RFC 3339).")
  private String lastScaleTime;

  @JsonPropertyDescription("The IVS stages of this broadcast.")
  private List<StageStatus> stages;

  @JsonPropertyDescription("Ready, Scaling and Degraded, Ready first.")
  private List<Condition> conditions;

  @JsonPropertyDescription("Viewer counts reported by each gateway replica; written by the gateways only.")
  private Map<String, AudienceReport> audience;

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public String getPhase() { return phase; }
  public void setPhase(String phase) { this.phase = phase; }
  public Integer getViewers() { return viewers; }
  public void setViewers(Integer viewers) { this.viewers = viewers; }
  public Integer getWaiting() { return waiting; }
  public void setWaiting(Integer waiting) { this.waiting = waiting; }
  public Integer getDesiredStages() { return desiredStages; }
  public void setDesiredStages(Integer desiredStages) { this.desiredStages = desiredStages; }
  public Integer getReadyStages() { return readyStages; }
  public void setReadyStages(Integer readyStages) { this.readyStages = readyStages; }
  public String getLastScaleTime() { return lastScaleTime; }
  public void setLastScaleTime(String lastScaleTime) { this.lastScaleTime = lastScaleTime; }
  public List<StageStatus> getStages() { return stages; }
  public void setStages(List<StageStatus> stages) { this.stages = stages; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
  public Map<String, AudienceReport> getAudience() { return audience; }
  public void setAudience(Map<String, AudienceReport> audience) { this.audience = audience; }

  /** The stages, never null. */
  public List<StageStatus> stagesOrEmpty() {
    return stages == null ? List.of() : stages;
  }

  /** The condition of the given type, if present. */
  public Optional<Condition> condition(String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** The audience reports, never null. */
  public Map<String, AudienceReport> audienceOrEmpty() {
    return audience == null ? Map.of() : audience;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LiveBroadcastStatus s && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(phase, s.phase) && Objects.equals(viewers, s.viewers) && Objects.equals(waiting, s.waiting)
        && Objects.equals(desiredStages, s.desiredStages) && Objects.equals(readyStages, s.readyStages)
        && Objects.equals(lastScaleTime, s.lastScaleTime) && Objects.equals(stages, s.stages)
        && Objects.equals(conditions, s.conditions) && Objects.equals(audience, s.audience);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, phase, viewers, waiting, desiredStages, readyStages, lastScaleTime, stages,
        conditions, audience);
  }

  /** One IVS stage of the broadcast. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
  public static class StageStatus {
    public static final String ACTIVE = "Active";
    public static final String DRAINING = "Draining";
    public static final String ORIGIN = "origin";
    public static final String REPLICA = "replica";

    @JsonPropertyDescription("Stage id, the last segment of its ARN.")
    private String id;
    @JsonPropertyDescription("Stage ARN.")
    private String arn;
    @JsonPropertyDescription("Active (viewers are placed here) or Draining (viewers are moved away).")
    private String state;
    @JsonPropertyDescription("Viewers observed on this stage.")
    private Integer viewers;
    @JsonPropertyDescription("When the stage was created (RFC 3339).")
    private String createdAt;
    @JsonPropertyDescription("The stage's endpoints, used to mint self-signed tokens.")
    private Endpoints endpoints;
    @JsonPropertyDescription("When the stage started draining (RFC 3339).")
    private String drainingSince;
    @JsonPropertyDescription("origin (the broadcaster publishes into this stage) or replica (IVS replicates the"
        + " broadcaster into it from the origin named by source).")
    private String feed;
    @JsonPropertyDescription("For a replica, the id of the origin stage it is replicated from.")
    private String source;

    public StageStatus() {
    }

    public StageStatus(String id, String arn, String state, Integer viewers, String createdAt, Endpoints endpoints,
        String drainingSince) {
      this.id = id;
      this.arn = arn;
      this.state = state;
      this.viewers = viewers;
      this.createdAt = createdAt;
      this.endpoints = endpoints;
      this.drainingSince = drainingSince;
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isActive() {
      return ACTIVE.equals(state);
    }

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getArn() { return arn; }
    public void setArn(String arn) { this.arn = arn; }
    public String getState() { return state; }
    public void setState(String state) { this.state = state; }
    public Integer getViewers() { return viewers; }
    public void setViewers(Integer viewers) { this.viewers = viewers; }
    public String getCreatedAt() { return createdAt; }
    public void setCreatedAt(String createdAt) { this.createdAt = createdAt; }
    public Endpoints getEndpoints() { return endpoints; }
    public void setEndpoints(Endpoints endpoints) { this.endpoints = endpoints; }
    public String getDrainingSince() { return drainingSince; }
    public void setDrainingSince(String drainingSince) { this.drainingSince = drainingSince; }
    public String getFeed() { return feed; }
    public void setFeed(String feed) { this.feed = feed; }
    public String getSource() { return source; }
    public void setSource(String source) { this.source = source; }

    @Override
    public boolean equals(Object o) {
      return o instanceof StageStatus s && Objects.equals(id, s.id) && Objects.equals(arn, s.arn)
          && Objects.equals(state, s.state) && Objects.equals(viewers, s.viewers)
          && Objects.equals(createdAt, s.createdAt) && Objects.equals(endpoints, s.endpoints)
          && Objects.equals(drainingSince, s.drainingSince) && Objects.equals(feed, s.feed)
          && Objects.equals(source, s.source);
    }

    @Override
    public int hashCode() {
      return Objects.hash(id, arn, state, viewers, createdAt, endpoints, drainingSince, feed, source);
    }

    @Override
    public String toString() {
      return "Stage[" + id + " " + state + " viewers=" + viewers + "]";
    }
  }

  /** A stage's endpoints as IVS returns them. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
  public static class Endpoints {
    private String events;
    private String whip;

    public Endpoints() {
    }

    public Endpoints(String events, String whip) {
      this.events = events;
      this.whip = whip;
    }

    public String getEvents() { return events; }
    public void setEvents(String events) { this.events = events; }
    public String getWhip() { return whip; }
    public void setWhip(String whip) { this.whip = whip; }

    @Override
    public boolean equals(Object o) {
      return o instanceof Endpoints e && Objects.equals(events, e.events) && Objects.equals(whip, e.whip);
    }

    @Override
    public int hashCode() {
      return Objects.hash(events, whip);
    }
  }

  /** What one gateway replica counts: viewers per stage id, and when it said so. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
  public static class AudienceReport {
    @JsonPropertyDescription("Viewers per stage id (present viewers plus tokens issued in the last 30 s not yet seen).")
    private Map<String, Integer> viewers = new LinkedHashMap<>();
    @JsonPropertyDescription("When the gateway wrote this report (RFC 3339).")
    private String reportedAt;
    @JsonPropertyDescription("Viewers this gateway holds for a seat because every stage is full.")
    private Integer waiting;
    @JsonPropertyDescription("Seats per stage id this gateway may fill; every replica's seats on a stage add up to "
        + "at most viewersPerStage, and grown only with the resourceVersion it read.")
    private Map<String, Integer> seats;
    @JsonPropertyDescription("Viewers per <replica>/<stageId> this gateway took over from another replica in the last "
        + "30 s (that replica may still count them); readers count them once.")
    private Map<String, Integer> adopted;
    @JsonPropertyDescription("Waiters per replica this gateway took over from that replica in the last few seconds "
        + "(that replica may still count them as waiting); readers count them once.")
    private Map<String, Integer> waitingAdopted;

    public AudienceReport() {
    }

    public AudienceReport(Map<String, Integer> viewers, String reportedAt) {
      this.viewers = viewers;
      this.reportedAt = reportedAt;
    }

    public Map<String, Integer> getViewers() { return viewers; }
    public void setViewers(Map<String, Integer> viewers) { this.viewers = viewers; }
    public String getReportedAt() { return reportedAt; }
    public Integer getWaiting() { return waiting; }
    public void setWaiting(Integer waiting) { this.waiting = waiting; }
    public void setReportedAt(String reportedAt) { this.reportedAt = reportedAt; }
    public Map<String, Integer> getSeats() { return seats; }
    public void setSeats(Map<String, Integer> seats) { this.seats = seats; }
    public Map<String, Integer> getAdopted() { return adopted; }
    public void setAdopted(Map<String, Integer> adopted) { this.adopted = adopted; }
    public Map<String, Integer> getWaitingAdopted() { return waitingAdopted; }
    public void setWaitingAdopted(Map<String, Integer> waitingAdopted) { this.waitingAdopted = waitingAdopted; }

    @Override
    public boolean equals(Object o) {
      return o instanceof AudienceReport a && Objects.equals(viewers, a.viewers)
          && Objects.equals(reportedAt, a.reportedAt) && Objects.equals(waiting, a.waiting)
          && Objects.equals(seats, a.seats) && Objects.equals(adopted, a.adopted)
          && Objects.equals(waitingAdopted, a.waitingAdopted);
    }

    @Override
    public int hashCode() {
      return Objects.hash(viewers, reportedAt, waiting, seats, adopted, waitingAdopted);
    }
  }
}
