package dev.stagefleet.cli;

import java.lang.reflect.Field;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** One-line messages for the user: exceptions' root messages, and settings complaints in terms of flags. */
final class Messages {
  /** A settings record's complaint starts with the component it is about, e.g. "resyncInterval must be ...". */
  private static final Pattern LEADING_COMPONENT = Pattern.compile("([a-z][A-Za-z0-9]*)(\\W.*)", Pattern.DOTALL);

  private Messages() {
  }

  /**
   * A settings record's complaint, told with the flag (and, if the value came from there, the variable) behind the
   * component it names: options are fields named like the components they fill.
   */
  static UserFacingException invalidSetting(CommandSpec spec, IllegalArgumentException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    Matcher m = LEADING_COMPONENT.matcher(message);
    if (m.matches()) {
      for (OptionSpec option : spec.options()) {
        if (option.userObject() instanceof Field field && field.getName().equals(m.group(1))) {
          boolean onCommandLine = spec.commandLine() != null && spec.commandLine().getParseResult() != null
              && spec.commandLine().getParseResult().hasMatchedOption(option);
          String variable = variable(option);
          String source = onCommandLine || System.getenv(variable) == null ? ""
              : " (from the environment variable " + variable + ")";
          return new UserFacingException(option.longestName() + m.group(2) + source);
        }
      }
    }
    return new UserFacingException("invalid option: " + message);
  }

  /** The variable an option falls back to: {@code STAGEFLEET_<OPTION>}. */
  static String variable(OptionSpec option) {
    return "STAGEFLEET_" + option.longestName().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  static String firstLine(String message) {
    return message == null ? "" : message.strip().lines().findFirst().orElse("");
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
