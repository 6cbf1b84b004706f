package dev.stagefleet.cli;

import dev.stagefleet.gateway.GatewayServer;
import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.gateway.GatewaySettings.TokenMode;
import dev.stagefleet.ivs.IvsRateLimits;
import dev.stagefleet.ivs.SdkIvsService;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.BindException;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the gateway (participant tokens, viewer placement, broadcaster WebSocket) until SIGTERM. */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
    defaultValueProvider = EnvironmentDefaults.class,
    description = {"Runs the gateway: participant tokens, viewer placement, the broadcaster WebSocket and audience "
        + "reports, for the LiveBroadcasts in the cluster.",
        "Every option can also be set with the environment variable in brackets."})
public final class GatewayCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  GatewayOptions options;

  @Mixin
  KubernetesOptions kubernetes;

  @Mixin
  IvsOptions ivsOptions;

  @Override
  public Integer call() throws Exception {
    GatewaySettings settings = settings();
    KubernetesClient client = kubernetes.client();
    SdkIvsService ivs = settings.tokenMode() == TokenMode.API
        ? ivsOptions.client(ivsOptions.region(), new IvsRateLimits(), null) : null;
    GatewayServer server;
    try {
      server = new GatewayServer(settings, client, ivs, Clock.systemUTC()).start();
    } catch (IllegalArgumentException e) {
      close(client, ivs);
      throw new UserFacingException(e.getMessage());
    } catch (RuntimeException e) {
      close(client, ivs);
      if (causedBy(e, BindException.class)) {
        throw new UserFacingException("cannot listen on " + settings.host() + ":" + settings.port() + " or :"
            + settings.metricsPort() + " (--metrics-port): the port is in use");
      }
      throw e;
    }
    System.out.println("stagefleet gateway listening on http://" + settings.host() + ":" + server.port()
        + ", /metrics on port " + server.metricsPort() + " (" + settings.tokenMode().flag() + " tokens, replica "
        + settings.replicaId() + ")");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      close(client, ivs);
      stopped.countDown();
    }, "gateway-shutdown"));
    stopped.await();
    return 0;
  }

  /** The flags as the gateway's settings; invalid values end the command with one line. */
  GatewaySettings settings() {
    try {
      return options.toSettings();
    } catch (IllegalArgumentException e) {
      throw Messages.invalidSetting(spec, e);
    }
  }

  private static void close(KubernetesClient client, SdkIvsService ivs) {
    client.close();
    if (ivs != null) {
      ivs.close();
    }
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
