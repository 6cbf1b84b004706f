package dev.stagefleet.bench;

import io.javalin.Javalin;
import java.net.URI;

/**
 * Yardstick (b) of the joins benchmark: a bare Javalin server answering {@code POST /static} with a fixed JSON body the
 * size of a join answer, with Javalin's defaults (no JSON mapping, no logic).
 */
public final class StaticJsonServer implements AutoCloseable {
  /** About as long as the gateway's join answer (ids, ARN, a ~700-byte token, URLs). */
  static final String BODY = "{\"viewerId\":\"v-000000000000000000000000\",\"stageArn\":"
      + "\"arn:aws:ivs:us-east-1:123456789012:stage/AbCdEfGh1234\",\"stageId\":\"AbCdEfGh1234\",\"token\":\""
      + "x".repeat(700) + "\",\"participantId\":\"p-000000000000000000000000\",\"expiresAt\":"
      + "\"2026-11-24T20:00:00Z\",\"presenceUrl\":"
      + "\"/api/v1/namespaces/bench/livebroadcasts/show/viewers/v-0/presence\"}";

  private final Javalin app;

  private StaticJsonServer(Javalin app) {
    this.app = app;
  }

  /** Starts on a free loopback port. */
  public static StaticJsonServer start() {
    Javalin app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.routes.post("/static", ctx -> ctx.status(201).contentType("application/json").result(BODY));
    });
    app.start("127.0.0.1", 0);
    return new StaticJsonServer(app);
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + app.port() + "/static");
  }

  @Override
  public void close() {
    app.stop();
  }
}
