package dev.stagefleet.cli;

import dev.stagefleet.api.v1alpha1.AwsRegion;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Option;

/** The {@code --region} and {@code --ivs-endpoint} options every command that calls IVS shares. */
public final class IvsOptions {
  @Option(names = "--region",
      description = "AWS region of the IVS calls, and of broadcasts that name none (default: ${DEFAULT-VALUE}) "
          + "[STAGEFLEET_REGION].")
  String region = AwsRegion.DEFAULT;

  @Option(names = "--ivs-endpoint",
      description = "IVS endpoint override, for example the IVS emulator's http://127.0.0.1:4590 (serves --region "
          + "only) [STAGEFLEET_IVS_ENDPOINT].")
  String endpoint;

  /** The region as given, trimmed; the settings record it goes into checks it. */
  public String region() {
    return region == null ? null : region.strip();
  }

  /** The endpoint override, or null for AWS itself; a value that is no absolute URI ends the command. */
  public URI endpoint() {
    if (endpoint == null || endpoint.isBlank()) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(endpoint.strip());
    } catch (URISyntaxException e) {
      throw new UserFacingException("--ivs-endpoint is not a URI: " + e.getMessage());
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new UserFacingException("--ivs-endpoint must be an absolute URI such as http://127.0.0.1:4590, got "
          + endpoint);
    }
    return uri;
  }

  /**
   * An IVS client for {@code region}: the endpoint override if one is given, else AWS; its request metrics go to
   * {@code meters}, or nowhere when it is null.
   */
  public SdkIvsService client(String region, IvsRateLimits limits, MeterRegistry meters) {
    SdkIvsService.Builder builder = SdkIvsService.builder(region, limits).endpoint(endpoint());
    return (meters == null ? builder : builder.meterRegistry(meters)).build();
  }
}
