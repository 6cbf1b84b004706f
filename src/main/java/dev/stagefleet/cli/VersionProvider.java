package dev.stagefleet.cli;

import picocli.CommandLine;

/** Version from the jar's manifest (or "dev" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = StageFleetCommand.class.getPackage().getImplementationVersion();
    return new String[] {"stagefleet " + (v == null ? "dev" : v)};
  }
}
