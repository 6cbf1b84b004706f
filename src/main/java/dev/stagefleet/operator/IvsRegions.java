package dev.stagefleet.operator;

import dev.stagefleet.ivs.IvsService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** The IVS regions the operator serves: one IVS client and one shared stage inventory per region, made on first use. */
public final class IvsRegions {
  private final String defaultRegion;
  private final Function<String, IvsService> clients;
  private final Clock clock;
  private final Duration refreshInterval;
  private final Map<String, IvsRegion> regions = new ConcurrentHashMap<>();

  /** One region's IVS client and inventory. */
  public record IvsRegion(String name, IvsService ivs, StageInventory inventory) {
  }

  /**
   * @param clients makes the IVS client of a region, or returns null when the operator cannot serve that region
   */
  public IvsRegions(String defaultRegion, Function<String, IvsService> clients, Clock clock, Duration refreshInterval) {
    this.defaultRegion = defaultRegion;
    this.clients = clients;
    this.clock = clock;
    this.refreshInterval = refreshInterval;
  }

  public String defaultRegion() {
    return defaultRegion;
  }

  /** The region, or empty when the operator cannot serve it. */
  public Optional<IvsRegion> region(String name) {
    String region = name == null || name.isEmpty() ? defaultRegion : name;
    IvsRegion known = regions.get(region);
    if (known != null) {
      return Optional.of(known);
    }
    IvsService ivs = clients.apply(region);
    if (ivs == null) {
      return Optional.empty();
    }
    return Optional.of(regions.computeIfAbsent(region,
        r -> new IvsRegion(r, ivs, new StageInventory(r, ivs, clock, refreshInterval))));
  }

  /** The regions in use so far. */
  public List<IvsRegion> inUse() {
    return List.copyOf(regions.values());
  }
}
