package dev.stagefleet.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * Strings of a chosen length (in Unicode scalar values) that match a service-model pattern, or that fail it by one
 * character. Understands the small regex subset the AWS models use (literals, classes, {@code .}, groups, alternation,
 * {@code ? * + {n,m}}, anchors) and refuses anything else, so a new kind of pattern fails loudly instead of being
 * tested wrongly. Every string it returns is checked against the pattern itself, matched as a whole as AWS services
 * match it ("Member must satisfy regular expression pattern").
 */
final class PatternStrings {
  private static final int UNBOUNDED = Integer.MAX_VALUE;
  /** Characters tried, in order, to break a matching string: {@code _} first, the one participant ids must not have. */
  private static final int[] BREAKERS = {'_', '-', ' ', '!', '~', 'é', 0x1F600};

  private final Pattern compiled;
  private final List<List<Term>> root;
  private final String source;
  private int pos;

  PatternStrings(String pattern) {
    this.source = pattern;
    this.compiled = Pattern.compile(pattern);
    this.root = alternatives();
    if (pos != source.length()) {
      throw unsupported();
    }
  }

  boolean matches(String value) {
    return compiled.matcher(value).matches();
  }

  /** A string of exactly {@code length} scalar values that matches, if the pattern allows that length. */
  Optional<String> matching(int length) {
    StringBuilder out = new StringBuilder();
    if (!generate(root, length, out) || !matches(out.toString())) {
      return Optional.empty();
    }
    return Optional.of(out.toString());
  }

  /** A string of exactly {@code length} scalar values that fails the pattern because of one character. */
  Optional<String> violating(int length) {
    Optional<String> valid = matching(length);
    if (valid.isEmpty()) {
      return Optional.empty();
    }
    int[] points = valid.get().codePoints().toArray();
    for (int i = points.length - 1; i >= 0; i--) {
      for (int breaker : BREAKERS) {
        int[] changed = points.clone();
        changed[i] = breaker;
        String candidate = new String(changed, 0, changed.length);
        if (!matches(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  // ---- generation ----

  private static boolean generate(List<List<Term>> alternatives, int length, StringBuilder out) {
    for (List<Term> sequence : alternatives) {
      StringBuilder attempt = new StringBuilder();
      if (generateSequence(sequence, length, attempt)) {
        out.append(attempt);
        return true;
      }
    }
    return false;
  }

  private static boolean generateSequence(List<Term> terms, int length, StringBuilder out) {
    int extra = length;
    int[] lengths = new int[terms.size()];
    for (int i = 0; i < terms.size(); i++) {
      lengths[i] = terms.get(i).minLength();
      extra -= lengths[i];
    }
    if (extra < 0) {
      return false;
    }
    // the last variable part takes the slack, as an id's tail does in an ARN
    for (int i = terms.size() - 1; i >= 0 && extra > 0; i--) {
      int room = terms.get(i).room();
      int take = Math.min(extra, room);
      lengths[i] += take;
      extra -= take;
    }
    if (extra > 0) {
      return false;
    }
    for (int i = 0; i < terms.size(); i++) {
      if (!terms.get(i).generate(lengths[i], out)) {
        return false;
      }
    }
    return true;
  }

  private static int minLength(List<List<Term>> alternatives) {
    int min = UNBOUNDED;
    for (List<Term> sequence : alternatives) {
      min = Math.min(min, sequence.stream().mapToInt(Term::minLength).sum());
    }
    return min;
  }

  private static int maxLength(List<List<Term>> alternatives) {
    long max = 0;
    for (List<Term> sequence : alternatives) {
      long sum = 0;
      for (Term term : sequence) {
        sum += term.maxLength();
      }
      max = Math.max(max, sum);
    }
    return (int) Math.min(max, UNBOUNDED);
  }

  /** One atom (a character set or a group) repeated between {@code minRep} and {@code maxRep} times. */
  private record Term(IntPredicate chars, int sample, List<List<Term>> group, int minRep, int maxRep) {
    int minLength() {
      return group == null ? minRep : minRep * PatternStrings.minLength(group);
    }

    long maxLength() {
      if (group == null) {
        return maxRep;
      }
      return maxRep == UNBOUNDED ? UNBOUNDED : (long) maxRep * PatternStrings.maxLength(group);
    }

    /** How much longer than its minimum this term can be made. */
    int room() {
      if (group == null) {
        return maxRep - minRep;
      }
      // a group grows only when it occurs exactly once; no model pattern needs more
      return minRep == 1 && maxRep == 1 ? PatternStrings.maxLength(group) - PatternStrings.minLength(group) : 0;
    }

    boolean generate(int length, StringBuilder out) {
      if (group == null) {
        for (int i = 0; i < length; i++) {
          out.appendCodePoint(sample);
        }
        return true;
      }
      if (minRep == 0 && length == 0) {
        return true;
      }
      if (minRep == 1 && maxRep == 1) {
        return PatternStrings.generate(group, length, out);
      }
      int each = PatternStrings.minLength(group);
      for (int i = 0; i < minRep; i++) {
        if (!PatternStrings.generate(group, each, out)) {
          return false;
        }
      }
      return length == minRep * each;
    }
  }

  // ---- parsing ----

  private List<List<Term>> alternatives() {
    List<List<Term>> alternatives = new ArrayList<>();
    alternatives.add(sequence());
    while (pos < source.length() && source.charAt(pos) == '|') {
      pos++;
      alternatives.add(sequence());
    }
    return alternatives;
  }

  private List<Term> sequence() {
    List<Term> terms = new ArrayList<>();
    while (pos < source.length() && source.charAt(pos) != '|' && source.charAt(pos) != ')') {
      char c = source.charAt(pos);
      if (c == '^' || c == '$') {
        // anchors: the whole value is matched anyway
        pos++;
        continue;
      }
      List<List<Term>> group = null;
      IntPredicate chars = null;
      int sample = 0;
      if (c == '(') {
        pos++;
        group = alternatives();
        expect(')');
      } else if (c == '[') {
        pos++;
        chars = charClass();
        sample = sample(chars);
      } else if (c == '.') {
        pos++;
        chars = cp -> cp != '\n' && cp != '\r';
        sample = 'a';
      } else {
        int literal = c == '\\' ? escape() : source.codePointAt(pos);
        if (c != '\\') {
          pos += Character.charCount(literal);
        }
        if ("*+?{}])|".indexOf(literal) >= 0) {
          throw unsupported();
        }
        chars = cp -> cp == literal;
        sample = literal;
      }
      int[] repeat = quantifier();
      terms.add(new Term(chars, sample, group, repeat[0], repeat[1]));
    }
    return terms;
  }

  private int[] quantifier() {
    if (pos >= source.length()) {
      return new int[] {1, 1};
    }
    char c = source.charAt(pos);
    switch (c) {
      case '*' -> {
        pos++;
        return new int[] {0, UNBOUNDED};
      }
      case '+' -> {
        pos++;
        return new int[] {1, UNBOUNDED};
      }
      case '?' -> {
        pos++;
        return new int[] {0, 1};
      }
      case '{' -> {
        int close = source.indexOf('}', pos);
        String[] bounds = source.substring(pos + 1, close).split(",", -1);
        pos = close + 1;
        int min = Integer.parseInt(bounds[0]);
        int max = bounds.length == 1 ? min : bounds[1].isEmpty() ? UNBOUNDED : Integer.parseInt(bounds[1]);
        return new int[] {min, max};
      }
      default -> {
        return new int[] {1, 1};
      }
    }
  }

  private IntPredicate charClass() {
    if (source.charAt(pos) == '^') {
      throw unsupported();
    }
    List<int[]> ranges = new ArrayList<>();
    boolean first = true;
    while (source.charAt(pos) != ']' || first) {
      int from = classChar();
      if (source.charAt(pos) == '-' && source.charAt(pos + 1) != ']') {
        pos++;
        int to = classChar();
        ranges.add(new int[] {from, to});
      } else {
        ranges.add(new int[] {from, from});
      }
      first = false;
    }
    pos++;
    return cp -> ranges.stream().anyMatch(r -> cp >= r[0] && cp <= r[1]);
  }

  private int classChar() {
    if (source.charAt(pos) == '\\') {
      return escape();
    }
    int cp = source.codePointAt(pos);
    pos += Character.charCount(cp);
    return cp;
  }

  private int escape() {
    char c = source.charAt(pos + 1);
    pos += 2;
    return switch (c) {
      case 'r' -> '\r';
      case 'n' -> '\n';
      case 't' -> '\t';
      case 'd', 'w', 's', 'D', 'W', 'S', 'b', 'B' -> throw unsupported();
      default -> c;
    };
  }

  private static int sample(IntPredicate chars) {
    for (int preferred : new int[] {'a', 'A', '0'}) {
      if (chars.test(preferred)) {
        return preferred;
      }
    }
    for (int cp = 0x21; cp < 0x7f; cp++) {
      if (chars.test(cp)) {
        return cp;
      }
    }
    throw new IllegalArgumentException("A character class without a printable ASCII character");
  }

  private void expect(char c) {
    if (pos >= source.length() || source.charAt(pos) != c) {
      throw unsupported();
    }
    pos++;
  }

  private IllegalArgumentException unsupported() {
    return new IllegalArgumentException("Pattern syntax this test does not understand at " + pos + ": " + source);
  }
}
