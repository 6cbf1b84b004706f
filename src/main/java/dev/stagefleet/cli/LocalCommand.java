package dev.stagefleet.cli;

import dev.stagefleet.gateway.GatewaySettings;
import dev.stagefleet.local.LocalMode;
import dev.stagefleet.local.LocalSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs StageFleet on one machine, on its embedded defaults. */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
    defaultValueProvider = EnvironmentDefaults.class,
    description = {"Runs everything on one machine: an embedded Kubernetes API server (kubectl works against it), the "
        + "IVS emulator, the operator and the gateway, with an example LiveBroadcast.",
        "Every option can also be set with the environment variable in brackets."})
public final class LocalCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  LocalOptions options;

  @Override
  public Integer call() throws Exception {
    quietLogs();
    LocalSettings settings = settings();
    LocalMode local = new LocalMode(settings, Clock.systemUTC(), System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    try {
      local.start();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UserFacingException(e.getMessage());
    }
    Thread shutdown = new Thread(() -> {
      System.out.println("stopping: deleting the stages, then the parts ...");
      local.close();
      stopped.countDown();
    }, "local-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    local.printWelcome();
    stopped.await();
    return 0;
  }

  /** Local mode talks through its status lines; the parts' request logs would drown them. */
  private static void quietLogs() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
        "error");
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    QUIET.add(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));
  }

  /** Strong references, so the JUL loggers keep their level (JUL holds loggers weakly). */
  private static final List<java.util.logging.Logger> QUIET = new java.util.ArrayList<>();

  /** Where the default page bundle is looked for: the working directory (tests point it elsewhere). */
  Path workingDirectory = Path.of("");

  /** The flags as local mode's settings; invalid values end the command with one line. */
  LocalSettings settings() {
    LocalSettings settings;
    try {
      settings = options.toSettings(options.webRoot);
    } catch (IllegalArgumentException e) {
      throw Messages.invalidSetting(spec, e);
    }
    if (!settings.runs("gateway")) {
      return settings;
    }
    // where the pages are is the command line's business: it knows the working directory
    Path pages = options.webRoot != null ? options.webRoot : workingDirectory.resolve(GatewaySettings.DEFAULT_WEB_ROOT);
    if (!Files.isRegularFile(pages.resolve("broadcaster").resolve("index.html"))) {
      throw new UserFacingException(options.webRoot != null
          ? "--web-root " + options.webRoot + " holds no web pages (broadcaster/index.html is missing)"
          : "the web pages are not in ./" + GatewaySettings.DEFAULT_WEB_ROOT + "; run stagefleet local from the "
              + "repository root, or pass --web-root DIR");
    }
    return options.toSettings(pages);
  }
}
