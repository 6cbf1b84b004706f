package dev.stagefleet.operator;

import java.time.Duration;
import java.util.Set;

/** Collects {@link OperatorSettings} one by one, starting at given settings; {@link #build()} checks them. */
public final class OperatorSettingsBuilder {
  private String region;
  private String clusterId;
  private Set<String> namespaces;
  private int healthPort;
  private boolean leaderElection;
  private String leaseNamespace;
  private String leaseName;
  private boolean serverSideApply;
  private Duration orphanGracePeriod;
  private Duration inventoryRefreshInterval;
  private double participantSampleRate;
  private Duration resyncInterval;
  private Duration retryBackoff;
  private Duration maxRetryBackoff;
  private Duration quotaBackoff;

  /** Starts at {@code settings}. */
  OperatorSettingsBuilder(OperatorSettings settings) {
    region = settings.region();
    clusterId = settings.clusterId();
    namespaces = settings.namespaces();
    healthPort = settings.healthPort();
    leaderElection = settings.leaderElection();
    leaseNamespace = settings.leaseNamespace();
    leaseName = settings.leaseName();
    serverSideApply = settings.serverSideApply();
    orphanGracePeriod = settings.orphanGracePeriod();
    inventoryRefreshInterval = settings.inventoryRefreshInterval();
    participantSampleRate = settings.participantSampleRate();
    resyncInterval = settings.resyncInterval();
    retryBackoff = settings.retryBackoff();
    maxRetryBackoff = settings.maxRetryBackoff();
    quotaBackoff = settings.quotaBackoff();
  }

  public OperatorSettingsBuilder region(String region) {
    this.region = region;
    return this;
  }

  public OperatorSettingsBuilder clusterId(String clusterId) {
    this.clusterId = clusterId;
    return this;
  }

  public OperatorSettingsBuilder namespaces(Set<String> namespaces) {
    this.namespaces = namespaces;
    return this;
  }

  public OperatorSettingsBuilder healthPort(int healthPort) {
    this.healthPort = healthPort;
    return this;
  }

  public OperatorSettingsBuilder leaderElection(boolean leaderElection) {
    this.leaderElection = leaderElection;
    return this;
  }

  public OperatorSettingsBuilder leaseNamespace(String leaseNamespace) {
    this.leaseNamespace = leaseNamespace;
    return this;
  }

  public OperatorSettingsBuilder leaseName(String leaseName) {
    this.leaseName = leaseName;
    return this;
  }

  public OperatorSettingsBuilder serverSideApply(boolean serverSideApply) {
    this.serverSideApply = serverSideApply;
    return this;
  }

  public OperatorSettingsBuilder orphanGracePeriod(Duration orphanGracePeriod) {
    this.orphanGracePeriod = orphanGracePeriod;
    return this;
  }

  public OperatorSettingsBuilder inventoryRefreshInterval(Duration inventoryRefreshInterval) {
    this.inventoryRefreshInterval = inventoryRefreshInterval;
    return this;
  }

  public OperatorSettingsBuilder participantSampleRate(double participantSampleRate) {
    this.participantSampleRate = participantSampleRate;
    return this;
  }

  public OperatorSettingsBuilder resyncInterval(Duration resyncInterval) {
    this.resyncInterval = resyncInterval;
    return this;
  }

  public OperatorSettingsBuilder retryBackoff(Duration retryBackoff) {
    this.retryBackoff = retryBackoff;
    return this;
  }

  public OperatorSettingsBuilder maxRetryBackoff(Duration maxRetryBackoff) {
    this.maxRetryBackoff = maxRetryBackoff;
    return this;
  }

  public OperatorSettingsBuilder quotaBackoff(Duration quotaBackoff) {
    this.quotaBackoff = quotaBackoff;
    return this;
  }

  /** The settings; the record's checks say what is wrong. */
  public OperatorSettings build() {
    return new OperatorSettings(region, clusterId, namespaces, healthPort, leaderElection, leaseNamespace, leaseName,
        serverSideApply, orphanGracePeriod, inventoryRefreshInterval, participantSampleRate, resyncInterval,
        retryBackoff, maxRetryBackoff, quotaBackoff);
  }
}
