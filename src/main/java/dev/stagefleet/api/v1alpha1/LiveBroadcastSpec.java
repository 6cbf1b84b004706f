package dev.stagefleet.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the user declares: audience per stage, stage limits, scaling behaviour, token lifetimes and the broadcaster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "self.minStages <= self.maxStages", message = "minStages must not exceed maxStages")
public class LiveBroadcastSpec extends LenientlyRead {
  public static final int MAX_VIEWERS_PER_STAGE = 10_000;
  public static final int MAX_STAGES = 1_000;

  @JsonPropertyDescription("Most viewers the gateway places on one stage (IVS allows 10000 subscribers per stage).")
  @Min(1) @Max(MAX_VIEWERS_PER_STAGE) @Default("50")
  private int viewersPerStage = 50;

  @JsonPropertyDescription("Fewest stages kept, even with no audience; the broadcaster publishes into all of them.")
  @Min(1) @Max(MAX_STAGES) @Default("1")
  private int minStages = 1;

  @JsonPropertyDescription("Most stages created for this broadcast.")
  @Min(1) @Max(MAX_STAGES) @Default("10")
  private int maxStages = 10;

  @JsonPropertyDescription("How stages are added and removed as the audience changes.")
  @Default("{}")
  private Scaling scaling = new Scaling();

  @JsonPropertyDescription("Lifetimes of the participant tokens the gateway hands out.")
  @Default("{}")
  private Tokens tokens = new Tokens();

  @JsonPropertyDescription("Who publishes into every stage, and the Secret holding their API key.")
  @Required
  private Broadcaster broadcaster;

  @JsonPropertyDescription("How the broadcaster's feed reaches the stages: replicated, the default (it publishes into"
      + " one stage in six, which IVS participant replication copies into up to five others), or direct (it publishes"
      + " into every stage, the seed design).")
  @Default("replicated")
  private FanOut fanOut = FanOut.REPLICATED;

  @JsonPropertyDescription("AWS region of the stages, such as us-east-1; omit it for the operator's default region.")
  @Pattern(AwsRegion.PATTERN)
  private String region;

  /** Every violation of the schema's rules, each as a sentence; empty when the spec is valid. */
  public List<String> validate() {
    if (unreadableBecause().isPresent()) {
      return List.of("the spec cannot be read: " + unreadableBecause().get());
    }
    List<String> errors = new ArrayList<>();
    range(errors, "spec.viewersPerStage", viewersPerStage, 1, MAX_VIEWERS_PER_STAGE);
    range(errors, "spec.minStages", minStages, 1, MAX_STAGES);
    range(errors, "spec.maxStages", maxStages, 1, MAX_STAGES);
    if (minStages > maxStages) {
      errors.add("spec.minStages (" + minStages + ") must not exceed spec.maxStages (" + maxStages + ")");
    }
    if (scaling == null) {
      errors.add("spec.scaling must not be null");
    } else {
      scaling.validate(errors);
    }
    if (tokens == null) {
      errors.add("spec.tokens must not be null");
    } else {
      tokens.validate(errors);
    }
    if (broadcaster == null) {
      errors.add("spec.broadcaster is required (it names the Secret holding the broadcaster's API key)");
    } else {
      broadcaster.validate(errors);
    }
    if (fanOut == null) {
      errors.add("spec.fanOut must be direct or replicated");
    }
    if (region != null && !region.isEmpty() && !AwsRegion.isValid(region)) {
      errors.add("spec.region \"" + region + "\" is not an AWS region name such as us-east-1");
    }
    return errors;
  }

  static void range(List<String> errors, String field, long value, long min, long max) {
    if (value < min || value > max) {
      errors.add(field + " must be between " + min + " and " + max + ", but is " + value);
    }
  }

  public int getViewersPerStage() { return viewersPerStage; }
  public void setViewersPerStage(int viewersPerStage) { this.viewersPerStage = viewersPerStage; }
  public int getMinStages() { return minStages; }
  public void setMinStages(int minStages) { this.minStages = minStages; }
  public int getMaxStages() { return maxStages; }
  public void setMaxStages(int maxStages) { this.maxStages = maxStages; }
  public Scaling getScaling() { return scaling; }
  public void setScaling(Scaling scaling) { this.scaling = scaling; }
  public Tokens getTokens() { return tokens; }
  public void setTokens(Tokens tokens) { this.tokens = tokens; }
  public Broadcaster getBroadcaster() { return broadcaster; }
  public void setBroadcaster(Broadcaster broadcaster) { this.broadcaster = broadcaster; }
  public FanOut getFanOut() { return fanOut; }
  public void setFanOut(FanOut fanOut) { this.fanOut = fanOut; }
  public String getRegion() { return region; }
  public void setRegion(String region) { this.region = region; }

  @Override
  public boolean equals(Object o) {
    return o instanceof LiveBroadcastSpec s && viewersPerStage == s.viewersPerStage && minStages == s.minStages
        && maxStages == s.maxStages && Objects.equals(scaling, s.scaling) && Objects.equals(tokens, s.tokens)
        && Objects.equals(broadcaster, s.broadcaster) && fanOut == s.fanOut && Objects.equals(region, s.region)
        && Objects.equals(unreadableBecause(), s.unreadableBecause());
  }

  @Override
  public int hashCode() {
    return Objects.hash(viewersPerStage, minStages, maxStages, scaling, tokens, broadcaster, fanOut, region,
        unreadableBecause());
  }

  /** Scaling behaviour. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
  public static class Scaling {
    @JsonPropertyDescription("Fill level (0.1-1) at which another stage is added, so stages never run full.")
    @Min(0.1) @Max(1) @Default("0.8")
    private double targetFill = 0.8;

    @JsonPropertyDescription("Seconds the audience must stay lower before stages are drained (as the HPA's window).")
    @Min(0) @Max(86400) @Default("300")
    private int scaleDownStabilizationSeconds = 300;

    @JsonPropertyDescription("Seconds a draining stage keeps its viewers before it is deleted anyway.")
    @Min(0) @Max(86400) @Default("600")
    private int drainTimeoutSeconds = 600;

    void validate(List<String> errors) {
      if (!(targetFill >= 0.1 && targetFill <= 1.0)) {
        errors.add("spec.scaling.targetFill must be between 0.1 and 1, but is " + targetFill);
      }
      range(errors, "spec.scaling.scaleDownStabilizationSeconds", scaleDownStabilizationSeconds, 0, 86400);
      range(errors, "spec.scaling.drainTimeoutSeconds", drainTimeoutSeconds, 0, 86400);
    }

    public double getTargetFill() { return targetFill; }
    public void setTargetFill(double targetFill) { this.targetFill = targetFill; }
    public int getScaleDownStabilizationSeconds() { return scaleDownStabilizationSeconds; }
    public void setScaleDownStabilizationSeconds(int s) { this.scaleDownStabilizationSeconds = s; }
    public int getDrainTimeoutSeconds() { return drainTimeoutSeconds; }
    public void setDrainTimeoutSeconds(int drainTimeoutSeconds) { this.drainTimeoutSeconds = drainTimeoutSeconds; }

    @Override
    public boolean equals(Object o) {
      return o instanceof Scaling s && targetFill == s.targetFill
          && scaleDownStabilizationSeconds == s.scaleDownStabilizationSeconds
          && drainTimeoutSeconds == s.drainTimeoutSeconds;
    }

    @Override
    public int hashCode() {
      return Objects.hash(targetFill, scaleDownStabilizationSeconds, drainTimeoutSeconds);
    }
  }

  /** Participant token lifetimes, bounded by IVS (1 to 20160 minutes). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
  public static class Tokens {
    public static final int MAX_TTL_MINUTES = 20_160;

    @JsonPropertyDescription("Minutes a broadcaster's PUBLISH token stays valid.")
    @Min(1) @Max(MAX_TTL_MINUTES) @Default("120")
    private int publishTtlMinutes = 120;

    @JsonPropertyDescription("Minutes a viewer's SUBSCRIBE token stays valid.")
    @Min(1) @Max(MAX_TTL_MINUTES) @Default("720")
    private int subscribeTtlMinutes = 720;

    void validate(List<String> errors) {
      range(errors, "spec.tokens.publishTtlMinutes", publishTtlMinutes, 1, MAX_TTL_MINUTES);
      range(errors, "spec.tokens.subscribeTtlMinutes", subscribeTtlMinutes, 1, MAX_TTL_MINUTES);
    }

    public int getPublishTtlMinutes() { return publishTtlMinutes; }
    public void setPublishTtlMinutes(int publishTtlMinutes) { this.publishTtlMinutes = publishTtlMinutes; }
    public int getSubscribeTtlMinutes() { return subscribeTtlMinutes; }
    public void setSubscribeTtlMinutes(int subscribeTtlMinutes) { this.subscribeTtlMinutes = subscribeTtlMinutes; }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tokens t && publishTtlMinutes == t.publishTtlMinutes
          && subscribeTtlMinutes == t.subscribeTtlMinutes;
    }

    @Override
    public int hashCode() {
      return Objects.hash(publishTtlMinutes, subscribeTtlMinutes);
    }
  }

  /** The broadcaster: their user id in the stages and the Secret holding their API key. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
  public static class Broadcaster {
    @JsonPropertyDescription("Secret (in the resource's namespace) and key holding the broadcaster's API key.")
    @Required
    private SecretKeyRef apiKeySecretRef;

    @JsonPropertyDescription("user_id of the broadcaster's participant in every stage.")
    @Default("broadcaster")
    @io.fabric8.generator.annotation.Size(min = 1, max = 128)
    private String userId = "broadcaster";

    void validate(List<String> errors) {
      if (apiKeySecretRef == null) {
        errors.add("spec.broadcaster.apiKeySecretRef is required (name and key of the Secret holding the API key)");
      } else {
        apiKeySecretRef.validate(errors);
      }
      if (userId == null || userId.isEmpty() || userId.length() > 128) {
        errors.add("spec.broadcaster.userId must be 1 to 128 characters long");
      }
    }

    public SecretKeyRef getApiKeySecretRef() { return apiKeySecretRef; }
    public void setApiKeySecretRef(SecretKeyRef apiKeySecretRef) { this.apiKeySecretRef = apiKeySecretRef; }
    public String getUserId() { return userId; }
    public void setUserId(String userId) { this.userId = userId; }

    @Override
    public boolean equals(Object o) {
      return o instanceof Broadcaster b && Objects.equals(apiKeySecretRef, b.apiKeySecretRef)
          && Objects.equals(userId, b.userId);
    }

    @Override
    public int hashCode() {
      return Objects.hash(apiKeySecretRef, userId);
    }
  }

  /** A key of a Secret in the resource's namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
  public static class SecretKeyRef {
    static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";
    static final String DATA_KEY = "^[-._a-zA-Z0-9]+$";

    @JsonPropertyDescription("Name of the Secret (a DNS-1123 subdomain, at most 253 characters).")
    @Required
    @Pattern(DNS_SUBDOMAIN)
    @io.fabric8.generator.annotation.Size(min = 1, max = 253)
    private String name;

    @JsonPropertyDescription("Key within the Secret (letters, digits, \"-\", \"_\" and \".\").")
    @Default("apiKey")
    @Pattern(DATA_KEY)
    @io.fabric8.generator.annotation.Size(min = 1, max = 253)
    private String key = "apiKey";

    public SecretKeyRef() {
    }

    public SecretKeyRef(String name, String key) {
      this.name = name;
      this.key = key;
    }

    void validate(List<String> errors) {
      if (name == null || name.isEmpty()) {
        errors.add("spec.broadcaster.apiKeySecretRef.name is required");
      } else if (name.length() > 253 || !name.matches(DNS_SUBDOMAIN)) {
        errors.add("spec.broadcaster.apiKeySecretRef.name \"" + name + "\" is not a valid Secret name");
      }
      if (key == null || key.isEmpty()) {
        errors.add("spec.broadcaster.apiKeySecretRef.key must not be empty");
      } else if (key.length() > 253 || !key.matches(DATA_KEY)) {
        errors.add("spec.broadcaster.apiKeySecretRef.key \"" + key + "\" is not a valid Secret key (letters, digits, "
            + "-, _ and .)");
      }
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }

    @Override
    public boolean equals(Object o) {
      return o instanceof SecretKeyRef r && Objects.equals(name, r.name) && Objects.equals(key, r.key);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, key);
    }
  }
}
