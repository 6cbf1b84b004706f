package dev.stagefleet.cli;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option falls back to the variable {@code STAGEFLEET_<OPTION>} (e.g. {@code --cluster-id} to
 * {@code STAGEFLEET_CLUSTER_ID}), then to its field's typed initial value: the variable name is derived, never typed.
 */
public final class EnvironmentDefaults implements IDefaultValueProvider {
  @Override
  public String defaultValue(ArgSpec argSpec) {
    // an option that names its own default (or variable) in its annotation keeps it
    if (!(argSpec instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()
        || option.defaultValue() != null) {
      return null;
    }
    String value = System.getenv(Messages.variable(option));
    return value == null || value.isEmpty() ? null : value;
  }
}
