package dev.stagefleet.gateway;

import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Collects {@link GatewaySettings} one by one; {@link #build()} checks them. */
public final class GatewaySettingsBuilder {
  private String host;
  private int port;
  private int metricsPort;
  private List<String> namespaces;
  private TokenMode tokenMode;
  private String keySecret;
  private Path keyFile;
  private String keyArn;
  private String replicaId;
  private List<String> corsOrigins;
  private boolean legacyEndpoints;
  private Path webRoot;
  private Path sdkFile;
  private long maxBodyBytes;
  private int viewerJoinsPerSecondPerIp;
  private boolean trustForwardedFor;
  private Duration heartbeatInterval;
  private Duration ticketTtl;
  private Duration audienceReportInterval;
  private Duration audienceRefreshInterval;
  private Duration pendingViewerWindow;
  private int socketQueueLimit;
  private int retryAfterSeconds;
  private Path claimsKeyFile;
  private int warmUpJoins;

  /** Starts at {@code settings}. */
  GatewaySettingsBuilder(GatewaySettings settings) {
    host = settings.host();
    port = settings.port();
    metricsPort = settings.metricsPort();
    namespaces = settings.namespaces();
    tokenMode = settings.tokenMode();
    keySecret = settings.keySecret();
    keyFile = settings.keyFile();
    keyArn = settings.keyArn();
    replicaId = settings.replicaId();
    corsOrigins = settings.corsOrigins();
    legacyEndpoints = settings.legacyEndpoints();
    webRoot = settings.webRoot();
    sdkFile = settings.sdkFile();
    maxBodyBytes = settings.maxBodyBytes();
    viewerJoinsPerSecondPerIp = settings.viewerJoinsPerSecondPerIp();
    trustForwardedFor = settings.trustForwardedFor();
    heartbeatInterval = settings.heartbeatInterval();
    ticketTtl = settings.ticketTtl();
    audienceReportInterval = settings.audienceReportInterval();
    audienceRefreshInterval = settings.audienceRefreshInterval();
    pendingViewerWindow = settings.pendingViewerWindow();
    socketQueueLimit = settings.socketQueueLimit();
    retryAfterSeconds = settings.retryAfterSeconds();
    claimsKeyFile = settings.claimsKeyFile();
    warmUpJoins = settings.warmUpJoins();
  }

  public GatewaySettingsBuilder host(String host) {
    this.host = host;
    return this;
  }

  public GatewaySettingsBuilder port(int port) {
    this.port = port;
    return this;
  }

  public GatewaySettingsBuilder metricsPort(int metricsPort) {
    this.metricsPort = metricsPort;
    return this;
  }

  public GatewaySettingsBuilder namespaces(List<String> namespaces) {
    this.namespaces = namespaces;
    return this;
  }

  public GatewaySettingsBuilder tokenMode(TokenMode tokenMode) {
    this.tokenMode = tokenMode;
    return this;
  }

  public GatewaySettingsBuilder keySecret(String keySecret) {
    this.keySecret = keySecret;
    return this;
  }

  public GatewaySettingsBuilder keyFile(Path keyFile) {
    this.keyFile = keyFile;
    return this;
  }

  public GatewaySettingsBuilder keyArn(String keyArn) {
    this.keyArn = keyArn;
    return this;
  }

  public GatewaySettingsBuilder replicaId(String replicaId) {
    this.replicaId = replicaId;
    return this;
  }

  public GatewaySettingsBuilder corsOrigins(List<String> corsOrigins) {
    this.corsOrigins = corsOrigins;
    return this;
  }

  public GatewaySettingsBuilder legacyEndpoints(boolean legacyEndpoints) {
    this.legacyEndpoints = legacyEndpoints;
    return this;
  }

  public GatewaySettingsBuilder webRoot(Path webRoot) {
    this.webRoot = webRoot;
    return this;
  }

  public GatewaySettingsBuilder sdkFile(Path sdkFile) {
    this.sdkFile = sdkFile;
    return this;
  }

  public GatewaySettingsBuilder maxBodyBytes(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
    return this;
  }

  public GatewaySettingsBuilder viewerJoinsPerSecondPerIp(int viewerJoinsPerSecondPerIp) {
    this.viewerJoinsPerSecondPerIp = viewerJoinsPerSecondPerIp;
    return this;
  }

  public GatewaySettingsBuilder trustForwardedFor(boolean trustForwardedFor) {
    this.trustForwardedFor = trustForwardedFor;
    return this;
  }

  public GatewaySettingsBuilder heartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = heartbeatInterval;
    return this;
  }

  public GatewaySettingsBuilder ticketTtl(Duration ticketTtl) {
    this.ticketTtl = ticketTtl;
    return this;
  }

  public GatewaySettingsBuilder audienceReportInterval(Duration audienceReportInterval) {
    this.audienceReportInterval = audienceReportInterval;
    return this;
  }

  public GatewaySettingsBuilder audienceRefreshInterval(Duration audienceRefreshInterval) {
    this.audienceRefreshInterval = audienceRefreshInterval;
    return this;
  }

  public GatewaySettingsBuilder pendingViewerWindow(Duration pendingViewerWindow) {
    this.pendingViewerWindow = pendingViewerWindow;
    return this;
  }

  public GatewaySettingsBuilder socketQueueLimit(int socketQueueLimit) {
    this.socketQueueLimit = socketQueueLimit;
    return this;
  }

  public GatewaySettingsBuilder retryAfterSeconds(int retryAfterSeconds) {
    this.retryAfterSeconds = retryAfterSeconds;
    return this;
  }

  public GatewaySettingsBuilder claimsKeyFile(Path claimsKeyFile) {
    this.claimsKeyFile = claimsKeyFile;
    return this;
  }

  public GatewaySettingsBuilder warmUpJoins(int warmUpJoins) {
    this.warmUpJoins = warmUpJoins;
    return this;
  }

  public GatewaySettings build() {
    return new GatewaySettings(host, port, metricsPort, namespaces, tokenMode, keySecret, keyFile, keyArn, replicaId,
        corsOrigins, legacyEndpoints, webRoot, sdkFile, maxBodyBytes, viewerJoinsPerSecondPerIp, trustForwardedFor,
        heartbeatInterval, ticketTtl, audienceReportInterval, audienceRefreshInterval, pendingViewerWindow,
        socketQueueLimit, retryAfterSeconds, claimsKeyFile, warmUpJoins);
  }
}
