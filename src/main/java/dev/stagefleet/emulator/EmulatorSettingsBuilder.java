package dev.stagefleet.emulator;

import java.time.Clock;
import java.time.Duration;

/** Collects {@link EmulatorSettings} one by one, starting at given settings; {@link #build()} checks them. */
public final class EmulatorSettingsBuilder {
  private String host;
  private int port;
  private String region;
  private String accountId;
  private boolean throttling;
  private Duration latency;
  private double errorRate;
  private Clock clock;

  /** Starts at {@code settings}. */
  EmulatorSettingsBuilder(EmulatorSettings settings) {
    host = settings.host();
    port = settings.port();
    region = settings.region();
    accountId = settings.accountId();
    throttling = settings.throttling();
    latency = settings.latency();
    errorRate = settings.errorRate();
    clock = settings.clock();
  }

  public EmulatorSettingsBuilder host(String host) {
    this.host = host;
    return this;
  }

  public EmulatorSettingsBuilder port(int port) {
    this.port = port;
    return this;
  }

  public EmulatorSettingsBuilder region(String region) {
    this.region = region;
    return this;
  }

  public EmulatorSettingsBuilder accountId(String accountId) {
    this.accountId = accountId;
    return this;
  }

  public EmulatorSettingsBuilder throttling(boolean throttling) {
    this.throttling = throttling;
    return this;
  }

  public EmulatorSettingsBuilder latency(Duration latency) {
    this.latency = latency;
    return this;
  }

  public EmulatorSettingsBuilder errorRate(double errorRate) {
    this.errorRate = errorRate;
    return this;
  }

  public EmulatorSettingsBuilder clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  /** The settings; the record's checks say what is wrong. */
  public EmulatorSettings build() {
    return new EmulatorSettings(host, port, region, accountId, throttling, latency, errorRate, clock);
  }
}
