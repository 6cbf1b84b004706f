package dev.stagefleet.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * The operator's own metrics, next to JOSDK's: stages by state, viewers, IVS requests and their latency by operation
 * and outcome, and orphans collected. Every label has a small fixed set of values; nothing is labelled per
 * broadcast or per stage.
 */
public final class OperatorMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, BroadcastCounts> broadcasts = new ConcurrentHashMap<>();
  private final Counter orphansDeleted;

  /** What one broadcast contributes to the gauges. */
  record BroadcastCounts(int active, int draining, int viewers) {
  }

  public OperatorMetrics() {
    gauge("active", BroadcastCounts::active);
    gauge("draining", BroadcastCounts::draining);
    Gauge.builder("stagefleet.viewers", broadcasts, m -> m.values().stream().mapToInt(BroadcastCounts::viewers).sum())
        .description("Viewers observed across all broadcasts").register(registry);
    Gauge.builder("stagefleet.broadcasts", broadcasts, Map::size)
        .description("LiveBroadcasts reconciled by this operator").register(registry);
    orphansDeleted = Counter.builder("stagefleet.orphan.stages.deleted")
        .description("Stages deleted because their owner no longer exists").register(registry);
  }

  private void gauge(String state, ToIntFunction<BroadcastCounts> value) {
    Gauge.builder("stagefleet.stages", broadcasts, m -> m.values().stream().mapToInt(value).sum())
        .tag("state", state).description("IVS stages of all broadcasts by state").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The metrics in Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  void recordBroadcast(String uid, int active, int draining, int viewers) {
    broadcasts.put(uid, new BroadcastCounts(active, draining, viewers));
  }

  void forgetBroadcast(String uid) {
    broadcasts.remove(uid);
  }

  void orphanDeleted() {
    orphansDeleted.increment();
  }
}
