package dev.stagefleet.ivs;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ivsrealtime.IvsRealTimeClient;
import software.amazon.awssdk.services.ivsrealtime.IvsRealTimeClientBuilder;
import software.amazon.awssdk.services.ivsrealtime.model.ListParticipantReplicasResponse;
import software.amazon.awssdk.services.ivsrealtime.model.ListParticipantsResponse;
import software.amazon.awssdk.services.ivsrealtime.model.ListStagesResponse;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantReplica;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantState;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantSummary;
import software.amazon.awssdk.services.ivsrealtime.model.ParticipantTokenCapability;
import software.amazon.awssdk.services.ivsrealtime.model.ReplicationType;
import software.amazon.awssdk.services.ivsrealtime.model.StageEndpoints;
import software.amazon.awssdk.services.ivsrealtime.model.StageSummary;

/**
 * {@link IvsService} on the AWS SDK's synchronous {@link IvsRealTimeClient}. Every attempt of every call first takes a
 * permit from the shared {@link IvsRateLimits} (the SDK's own retries are off, so none bypasses it); throttling, 5xx and
 * connection failures are retried with jittered exponential backoff, except that a CreateStage whose outcome is unknown
 * (5xx, timeout, reset) is never retried but thrown as {@link IvsException.Uncertain}; other failures become {@link IvsException}
 * subtypes carrying IVS's message. Records {@code stagefleet.ivs.requests} (a timer per attempt, tagged with the
 * operation and its outcome).
 */
public final class SdkIvsService implements IvsService, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SdkIvsService.class);
  /** The metric name: one timer sample per attempt, tags {@code operation} and {@code outcome}. */
  public static final String REQUEST_METRIC = "stagefleet.ivs.requests";
  private static final String LOCAL_RATE_LIMIT = IvsOutcome.LOCAL_RATE_LIMIT;
  private static final int PAGE_SIZE = 100;
  /**
   * Calls without an idempotency token: retrying one whose outcome is unknown could do it twice (a second stage), so
   * an {@link IvsException.Uncertain} failure of these is handed to the caller instead of retried.
   */
  private static final Set<String> NOT_IDEMPOTENT = Set.of("CreateStage");

  private final IvsRealTimeClient client;
  private final IvsRateLimits limits;
  private final Retry retry;
  private final Retry retryUnlessUncertain;
  private final MeterRegistry meters;
  private final int maxAttempts;

  /**
   * A service on an existing client. The client must not retry by itself (its retry strategy should be
   * {@code AwsRetryStrategy.doNotRetry()}), or retries would bypass the rate limits.
   */
  public SdkIvsService(IvsRealTimeClient client, IvsRateLimits limits, IvsRetryPolicy retryPolicy,
      MeterRegistry meters) {
    this.client = Objects.requireNonNull(client, "client");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.meters = Objects.requireNonNull(meters, "meters");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    this.maxAttempts = retryPolicy.maxAttempts();
    this.retry = retry("ivs", retryPolicy, SdkIvsService::isRetryable);
    this.retryUnlessUncertain = retry("ivs-not-idempotent", retryPolicy,
        e -> isRetryable(e) && !(e instanceof IvsException.Uncertain));
  }

  private static Retry retry(String name, IvsRetryPolicy policy, java.util.function.Predicate<Throwable> retryable) {
    Retry retry = Retry.of(name, RetryConfig.custom()
        .maxAttempts(policy.maxAttempts())
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(policy.initialBackoff(), 2.0,
            policy.jitter(), policy.maxBackoff()))
        .retryOnException(retryable)
        .build());
    retry.getEventPublisher().onRetry(event -> LOG.debug("Retrying IVS call (attempt {}) after {}: {}",
        event.getNumberOfRetryAttempts() + 1, event.getWaitInterval(),
        event.getLastThrowable() == null ? "" : event.getLastThrowable().getMessage()));
    return retry;
  }

  /** For the IVS emulator or another local endpoint: static dummy credentials, default retries, unobserved metrics. */
  public static SdkIvsService forEndpoint(URI endpoint, String region, IvsRateLimits limits) {
    return builder(region, limits).endpoint(endpoint).build();
  }

  /** For Amazon IVS: the default credential chain (environment, IRSA, EKS Pod Identity, profile, instance role). */
  public static SdkIvsService forAws(String region, IvsRateLimits limits) {
    return builder(region, limits).build();
  }

  /** A builder for the less common settings: endpoint, credentials, retries, meter registry. */
  public static Builder builder(String region, IvsRateLimits limits) {
    return new Builder(region, limits);
  }

  // ---- stages ----

  @Override
  public Stage createStage(String name, Map<String, String> tags) {
    var response = call("CreateStage", () -> client.createStage(b -> b.name(name).tags(tags)));
    return stage(response.stage());
  }

  @Override
  public void deleteStage(String arn) {
    try {
      call("DeleteStage", () -> client.deleteStage(b -> b.arn(arn)));
    } catch (IvsException.NotFound alreadyGone) {
      LOG.debug("Stage {} was already deleted", arn);
    }
  }

  @Override
  public List<Stage> listStages() {
    List<Stage> stages = new ArrayList<>();
    String nextToken = null;
    do {
      String token = nextToken;
      ListStagesResponse page = call("ListStages",
          () -> client.listStages(b -> b.maxResults(PAGE_SIZE).nextToken(token)));
      for (StageSummary summary : page.stages()) {
        stages.add(new Stage(summary.arn(), summary.name(), Map.copyOf(summary.tags()), null,
            summary.activeSessionId()));
      }
      nextToken = page.nextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    return stages;
  }

  @Override
  public Optional<Stage> getStage(String arn) {
    try {
      return Optional.of(stage(call("GetStage", () -> client.getStage(b -> b.arn(arn))).stage()));
    } catch (IvsException.NotFound e) {
      return Optional.empty();
    }
  }

  /** {@inheritDoc} A stage that does not exist has no participants either. */
  @Override
  public ParticipantCount countConnectedParticipants(String stageArn, String sessionId) {
    if (sessionId == null || sessionId.isEmpty()) {
      return ParticipantCount.NONE;
    }
    int subscribers = 0;
    int publishers = 0;
    int replicas = 0;
    String nextToken = null;
    do {
      String token = nextToken;
      // one filter per call (IVS's rule): CONNECTED; publishers and replicas are told apart from the summaries
      ListParticipantsResponse page;
      try {
        page = call("ListParticipants", () -> client.listParticipants(b -> b
            .stageArn(stageArn).sessionId(sessionId).filterByState(ParticipantState.CONNECTED)
            .maxResults(PAGE_SIZE).nextToken(token)));
      } catch (IvsException.NotFound e) {
        return ParticipantCount.NONE;
      }
      for (ParticipantSummary participant : page.participants()) {
        if (participant.replicationType() == ReplicationType.REPLICA) {
          replicas++;
        } else if (Boolean.TRUE.equals(participant.published())) {
          publishers++;
        } else {
          subscribers++;
        }
      }
      nextToken = page.nextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    return new ParticipantCount(subscribers, publishers, replicas);
  }

  // ---- participants ----

  @Override
  public ParticipantToken createParticipantToken(String stageArn, Set<Capability> capabilities, Duration duration,
      String userId, Map<String, String> attributes) {
    Integer minutes = duration == null ? null : (int) Math.min(Integer.MAX_VALUE,
        (duration.toSeconds() + 59) / 60);
    List<ParticipantTokenCapability> sdkCapabilities = capabilities == null ? null
        : capabilities.stream().map(c -> ParticipantTokenCapability.fromValue(c.name())).toList();
    var token = call("CreateParticipantToken", () -> client.createParticipantToken(b -> b.stageArn(stageArn)
        .capabilities(sdkCapabilities).duration(minutes).userId(userId).attributes(attributes))).participantToken();
    Set<Capability> granted = EnumSet.noneOf(Capability.class);
    for (String capability : token.capabilitiesAsStrings()) {
      granted.add(Capability.valueOf(capability));
    }
    return new ParticipantToken(token.participantId(), token.token(), token.userId(), token.expirationTime(),
        Set.copyOf(granted));
  }

  @Override
  public void disconnectParticipant(String stageArn, String participantId, String reason) {
    call("DisconnectParticipant", () -> client.disconnectParticipant(b -> b.stageArn(stageArn)
        .participantId(participantId).reason(reason)));
  }

  // ---- public keys ----

  @Override
  public PublicKey importPublicKey(String publicKeyPem, String name, Map<String, String> tags) {
    var key = call("ImportPublicKey", () -> client.importPublicKey(b -> b.publicKeyMaterial(publicKeyPem).name(name)
        .tags(tags))).publicKey();
    return new PublicKey(key.arn(), key.name(), key.publicKeyMaterial(), key.fingerprint());
  }

  @Override
  public Optional<PublicKey> getPublicKey(String arn) {
    try {
      var key = call("GetPublicKey", () -> client.getPublicKey(b -> b.arn(arn))).publicKey();
      return Optional.of(new PublicKey(key.arn(), key.name(), key.publicKeyMaterial(), key.fingerprint()));
    } catch (IvsException.NotFound e) {
      return Optional.empty();
    }
  }

  @Override
  public void deletePublicKey(String arn) {
    try {
      call("DeletePublicKey", () -> client.deletePublicKey(b -> b.arn(arn)));
    } catch (IvsException.NotFound alreadyGone) {
      LOG.debug("Public key {} was already deleted", arn);
    }
  }

  @Override
  public void tagResource(String arn, Map<String, String> tags) {
    call("TagResource", () -> client.tagResource(b -> b.resourceArn(arn).tags(tags)));
  }

  // ---- replication ----

  /** {@inheritDoc} One filter per call (IVS's rule): by user id; state, publishing and replicas are read from each. */
  @Override
  public Optional<String> publishingParticipant(String stageArn, String sessionId, String userId) {
    ParticipantSummary newest = null;
    String nextToken = null;
    do {
      String token = nextToken;
      ListParticipantsResponse page = call("ListParticipants", () -> client.listParticipants(b -> b
          .stageArn(stageArn).sessionId(sessionId).filterByUserId(userId).maxResults(PAGE_SIZE).nextToken(token)));
      for (ParticipantSummary participant : page.participants()) {
        boolean publishing = participant.state() == ParticipantState.CONNECTED
            && Boolean.TRUE.equals(participant.published()) && participant.replicationType() != ReplicationType.REPLICA;
        if (publishing && (newest == null || newest.firstJoinTime() == null || participant.firstJoinTime() != null
            && participant.firstJoinTime().isAfter(newest.firstJoinTime()))) {
          newest = participant;
        }
      }
      nextToken = page.nextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    return Optional.ofNullable(newest).map(ParticipantSummary::participantId);
  }

  @Override
  public void startReplication(String sourceStageArn, String destinationStageArn, String participantId,
      int reconnectWindowSeconds) {
    call("StartParticipantReplication", () -> client.startParticipantReplication(b -> b
        .sourceStageArn(sourceStageArn).destinationStageArn(destinationStageArn).participantId(participantId)
        .reconnectWindowSeconds(reconnectWindowSeconds)));
  }

  @Override
  public void stopReplication(String sourceStageArn, String destinationStageArn, String participantId) {
    call("StopParticipantReplication", () -> client.stopParticipantReplication(b -> b
        .sourceStageArn(sourceStageArn).destinationStageArn(destinationStageArn).participantId(participantId)));
  }

  @Override
  public List<Replica> listReplicas(String sourceStageArn, String participantId) {
    List<Replica> replicas = new ArrayList<>();
    String nextToken = null;
    do {
      String token = nextToken;
      ListParticipantReplicasResponse page = call("ListParticipantReplicas", () -> client.listParticipantReplicas(b -> b
          .sourceStageArn(sourceStageArn).participantId(participantId).maxResults(50).nextToken(token)));
      for (ParticipantReplica replica : page.replicas()) {
        replicas.add(new Replica(replica.sourceStageArn(), replica.destinationStageArn(), replica.participantId(),
            replica.replicationStateAsString()));
      }
      nextToken = page.nextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    return replicas;
  }

  @Override
  public void close() {
    client.close();
  }

  // ---- the call path: limit, attempt, measure, translate, retry ----

  private <T> T call(String operation, Supplier<T> request) {
    Retry retrying = NOT_IDEMPOTENT.contains(operation) ? retryUnlessUncertain : retry;
    try {
      return retrying.executeSupplier(() -> attempt(operation, request));
    } catch (IvsException.Unavailable e) {
      if (isRetryable(e) && maxAttempts > 1 && !(NOT_IDEMPOTENT.contains(operation)
          && e instanceof IvsException.Uncertain)) {
        String gaveUp = e.getMessage() + " (gave up after " + maxAttempts + " attempts)";
        if (e instanceof IvsException.Throttled) {
          throw new IvsException.Throttled(e.errorCode(), gaveUp, e);
        }
        if (e instanceof IvsException.Uncertain) {
          throw new IvsException.Uncertain(e.errorCode(), e.statusCode(), gaveUp, e);
        }
        throw new IvsException.Unavailable(e.errorCode(), e.statusCode(), gaveUp, e);
      }
      throw e;
    }
  }

  private <T> T attempt(String operation, Supplier<T> request) {
    if (!limits.acquire(operation)) {
      record(operation, IvsOutcome.RATE_LIMITED, 0);
      throw new IvsException.Unavailable(LOCAL_RATE_LIMIT, 0, operation + ": no rate-limit permit within "
          + limits.maxWait().toSeconds() + " s; too many IVS calls are queued", null);
    }
    long started = System.nanoTime();
    try {
      T result = request.get();
      record(operation, IvsOutcome.SUCCESS, System.nanoTime() - started);
      return result;
    } catch (AwsServiceException e) {
      IvsException translated = translate(operation, e);
      record(operation, IvsOutcome.of(translated), System.nanoTime() - started);
      throw translated;
    } catch (SdkClientException e) {
      if (neverSent(e)) {
        record(operation, IvsOutcome.UNREACHABLE, System.nanoTime() - started);
        throw new IvsException.Unavailable("ConnectionFailure", 0, operation + ": IVS could not be reached: "
            + e.getMessage(), e);
      }
      record(operation, IvsOutcome.NO_ANSWER, System.nanoTime() - started);
      throw new IvsException.Uncertain("NoAnswer", 0, operation + ": IVS did not answer (" + e.getMessage()
          + "); the request may still take effect", e);
    } catch (SdkException e) {
      record(operation, IvsOutcome.UNREACHABLE, System.nanoTime() - started);
      throw new IvsException.Uncertain("SdkFailure", 0, operation + ": " + e.getMessage(), e);
    } catch (IvsException e) {
      throw e;
    } catch (RuntimeException e) {
      // the JDK's HTTP client can fail unwrapped when the SDK aborts it at the attempt timeout (an NPE in
      // HttpURLConnection): the request may have been sent, so the outcome is as unknown as after a timeout
      record(operation, IvsOutcome.NO_ANSWER, System.nanoTime() - started);
      throw new IvsException.Uncertain("ClientFailure", 0, operation + ": the IVS client failed: " + e, e);
    }
  }

  /**
   * True when the request cannot have reached IVS: no connection was made. Anything else (a timeout waiting for the
   * answer, a connection reset after sending) leaves the outcome unknown.
   */
  static boolean neverSent(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
          || t instanceof java.net.NoRouteToHostException) {
        return true;
      }
      if (t instanceof java.net.SocketTimeoutException && t.getMessage() != null
          && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connect timed out")) {
        return true;
      }
    }
    return false;
  }

  static IvsException translate(String operation, AwsServiceException e) {
    int status = e.statusCode();
    String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
        : e.awsErrorDetails().errorCode();
    String ivsMessage = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
        ? e.getMessage() : e.awsErrorDetails().errorMessage();
    String message = operation + ": " + ivsMessage;
    if (status == 429 || e.isThrottlingException()) {
      return new IvsException.Throttled(code.isEmpty() ? "ThrottlingException" : code, message, e);
    }
    if (status >= 500) {
      // the request reached IVS, which may have carried it out before failing
      return new IvsException.Uncertain(code.isEmpty() ? "InternalServerException" : code, status, message, e);
    }
    return switch (status) {
      case 400 -> new IvsException.Validation(message, e);
      case 402 -> new IvsException.QuotaExceeded(message, e);
      case 403 -> new IvsException.AccessDenied(code.isEmpty() ? "AccessDeniedException" : code, "ivs:" + operation,
          message, e);
      case 404 -> new IvsException.NotFound(message, e);
      case 409 -> new IvsException.Conflict(message, e);
      default -> new IvsException(code, status, message, e);
    };
  }

  private static boolean isRetryable(Throwable e) {
    return e instanceof IvsException.Unavailable unavailable && !LOCAL_RATE_LIMIT.equals(unavailable.errorCode());
  }

  private void record(String operation, IvsOutcome outcome, long nanos) {
    Timer.builder(REQUEST_METRIC)
        .description("IVS API attempts by operation and outcome")
        .tag("operation", operation)
        .tag("outcome", outcome.tag())
        .register(meters)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private static Stage stage(software.amazon.awssdk.services.ivsrealtime.model.Stage stage) {
    StageEndpoints endpoints = stage.endpoints();
    return new Stage(stage.arn(), stage.name(), Map.copyOf(stage.tags()),
        endpoints == null ? null : new Endpoints(endpoints.events(), endpoints.whip()), stage.activeSessionId());
  }

  /** Settings of an {@link SdkIvsService} beyond region and rate limits. */
  public static final class Builder {
    private final String region;
    private final IvsRateLimits limits;
    private URI endpoint;
    private AwsCredentialsProvider credentials;
    private IvsRetryPolicy retryPolicy = IvsRetryPolicy.defaults();
    private MeterRegistry meters = new SimpleMeterRegistry();
    private Duration attemptTimeout = Duration.ofSeconds(30);

    private Builder(String region, IvsRateLimits limits) {
      if (region == null || region.isBlank()) {
        throw new IllegalArgumentException("an AWS region is required, for example us-east-1");
      }
      this.region = region;
      this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Sends requests to this endpoint (emulator, VPC endpoint) instead of IVS's public one. */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /**
     * Credentials to sign with. Default: static dummy credentials when an endpoint is set, the AWS default
     * credential chain otherwise.
     */
    public Builder credentials(AwsCredentialsProvider credentials) {
      this.credentials = credentials;
      return this;
    }

    public Builder retryPolicy(IvsRetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** Where request metrics go; by default a registry of this client's own that nothing publishes. */
    public Builder meterRegistry(MeterRegistry meters) {
      this.meters = meters;
      return this;
    }

    /** How long one attempt may take end to end (default 30 s). */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = Objects.requireNonNull(attemptTimeout, "attemptTimeout");
      return this;
    }

    public SdkIvsService build() {
      IvsRealTimeClientBuilder client = IvsRealTimeClient.builder()
          .region(Region.of(region))
          .httpClientBuilder(UrlConnectionHttpClient.builder()
              .connectionTimeout(Duration.ofSeconds(5))
              .socketTimeout(attemptTimeout))
          .overrideConfiguration(c -> c
              // our Retry re-enters the rate limiter on every attempt; the SDK's retries would not
              .retryStrategy(AwsRetryStrategy.doNotRetry())
              .apiCallAttemptTimeout(attemptTimeout));
      if (endpoint != null) {
        client.endpointOverride(endpoint);
      }
      if (credentials != null) {
        client.credentialsProvider(credentials);
      } else if (endpoint != null) {
        client.credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("stagefleet-local", "stagefleet-local")));
      } else {
        client.credentialsProvider(DefaultCredentialsProvider.builder().build());
      }
      return new SdkIvsService(client.build(), limits, retryPolicy, meters);
    }
  }

  @Override
  public String toString() {
    return "SdkIvsService[" + limits + "]";
  }
}
