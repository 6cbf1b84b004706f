package dev.stagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagefleet.cli.StageFleetCommand;
import dev.stagefleet.local.LocalMode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import picocli.CommandLine;

/**
 * The image's build stage gets every input the jar needs. No Docker engine runs here, so this lays out the build
 * stage's /src from exactly what .dockerignore admits, following the Dockerfile's COPY lines, and checks that every
 * pom.xml resource directory (the examples local mode applies among them) and every COPY source is there. It does not
 * run Maven in that copy nor start the image; it does start every subcommand (--help) from this build's classes.
 */
@Tag("chart")
class DockerContextTest {
  static final Path ROOT = Path.of("");

  /** One .dockerignore line: a pattern (Go filepath.Match syntax plus **) and whether it re-admits ("!"). */
  record Rule(Pattern pattern, boolean admits) {
  }

  static List<Rule> dockerignore() throws Exception {
    List<Rule> rules = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve(".dockerignore"))) {
      String text = line.strip();
      if (text.isEmpty() || text.startsWith("#")) {
        continue;
      }
      boolean admits = text.startsWith("!");
      String glob = (admits ? text.substring(1) : text).strip().replaceAll("^/+", "").replaceAll("/+$", "");
      rules.add(new Rule(Pattern.compile(regex(glob)), admits));
    }
    return rules;
  }

  static String regex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
          regex.append("/?");
          i++;
        }
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return regex.toString();
  }

  /** Docker's rule: the last pattern matching the path or one of its parent directories decides. */
  static boolean admitted(String path, List<Rule> rules) {
    boolean admitted = true;
    for (Rule rule : rules) {
      for (String prefix = path; prefix != null; prefix = parent(prefix)) {
        if (rule.pattern().matcher(prefix).matches()) {
          admitted = rule.admits();
          break;
        }
      }
    }
    return admitted;
  }

  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? null : path.substring(0, slash);
  }

  /** The build context: every file under the repository that .dockerignore admits, as relative paths. */
  static List<String> context() throws Exception {
    List<Rule> rules = dockerignore();
    try (Stream<Path> files = Files.walk(ROOT.toAbsolutePath())) {
      Path base = ROOT.toAbsolutePath();
      return files.filter(Files::isRegularFile).map(p -> base.relativize(p).toString().replace('\\', '/'))
          .filter(p -> !p.startsWith(".git/") && !p.equals(".git"))
          .filter(p -> admitted(p, rules)).toList();
    }
  }

  /** The build stage's COPY lines (before the second FROM), as "source destination" pairs. */
  static List<String[]> buildStageCopies() throws Exception {
    List<String[]> copies = new ArrayList<>();
    int stage = 0;
    for (String line : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
      String text = line.strip();
      if (text.startsWith("FROM ")) {
        stage++;
      } else if (stage == 1 && text.startsWith("COPY ") && !text.contains("--from=")) {
        String[] words = text.substring(5).strip().split("\\s+");
        for (int i = 0; i < words.length - 1; i++) {
          copies.add(new String[] {words[i], words[words.length - 1]});
        }
      }
    }
    return copies;
  }

  /** /src of the build stage: the context's files that the COPY lines take, where they put them. */
  static Path buildStage(Path src) throws Exception {
    List<String> context = context();
    for (String[] copy : buildStageCopies()) {
      String source = copy[0].replaceAll("/+$", "");
      String destination = copy[1];
      List<String> taken = context.stream().filter(p -> p.equals(source) || p.startsWith(source + "/")).toList();
      assertThat(taken).as("COPY " + source + " takes files the context admits").isNotEmpty();
      for (String file : taken) {
        // "COPY a b ./" puts a file under its own name; "COPY dir dir" copies the directory's contents into dir
        Path target = destination.endsWith("/") && file.equals(source)
            ? src.resolve(destination).resolve(Path.of(file).getFileName().toString())
            : src.resolve(destination).resolve(source.equals(file) ? "" : file.substring(source.length() + 1));
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.copy(ROOT.resolve(file), target);
      }
    }
    return src;
  }

  /** pom.xml's resource directories and their target paths in the jar. */
  static List<String[]> pomResources(Path pom) throws Exception {
    var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    var resources = document.getElementsByTagName("resource");
    List<String[]> found = new ArrayList<>();
    for (int i = 0; i < resources.getLength(); i++) {
      Element resource = (Element) resources.item(i);
      String directory = resource.getElementsByTagName("directory").item(0).getTextContent().strip();
      var target = resource.getElementsByTagName("targetPath");
      found.add(new String[] {directory, target.getLength() == 0 ? "" : target.item(0).getTextContent().strip()});
    }
    return found;
  }

  @Test
  void theBuildStageGetsEveryInputOfTheJarIncludingTheExamplesLocalModeApplies(@TempDir Path scratch)
      throws Exception {
    Path src = buildStage(scratch.resolve("src"));

    assertThat(src.resolve("pom.xml")).isRegularFile();
    assertThat(src.resolve("mvnw")).isRegularFile();
    assertThat(src.resolve(".mvn/wrapper/maven-wrapper.properties")).isRegularFile();
    assertThat(src.resolve("src/main/java/dev/stagefleet/cli/StageFleetCommand.java")).isRegularFile();
    List<String> jarResources = new ArrayList<>();
    for (String[] resource : pomResources(src.resolve("pom.xml"))) {
      Path directory = src.resolve(resource[0]);
      assertThat(directory).as("pom.xml resource directory " + resource[0] + " in the build stage").isDirectory();
      try (Stream<Path> files = Files.walk(directory)) {
        files.filter(Files::isRegularFile).forEach(f -> jarResources.add(
            (resource[1].isEmpty() ? "" : resource[1] + "/") + directory.relativize(f).toString()));
      }
    }
    assertThat(jarResources).as("what Maven puts on the jar's classpath from the build stage")
        .contains(LocalMode.SAMPLE.substring(1));
  }

  @Test
  void theRuntimeStageCopiesOnlyWhatTheContextAdmits() throws Exception {
    List<String> context = context();
    List<String> sources = Files.readAllLines(ROOT.resolve("Dockerfile")).stream().map(String::strip)
        .filter(l -> l.startsWith("COPY ") && !l.contains("--from=")).map(l -> l.substring(5).strip().split("\\s+"))
        .flatMap(words -> Stream.of(words).limit(words.length - 1)).toList();
    assertThat(sources).isNotEmpty().allSatisfy(source -> assertThat(context)
        .as("COPY " + source).anyMatch(p -> p.equals(source) || p.startsWith(source.replaceAll("/+$", "") + "/")));
  }

  @Test
  void everySubcommandStartsAndPrintsItsHelp() {
    CommandLine root = new CommandLine(new StageFleetCommand());
    assertThat(root.getSubcommands().keySet()).contains("operator", "gateway", "local", "ivs-emulator", "crd", "keys");
    for (String name : root.getSubcommands().keySet()) {
      if (name.equals("help")) {
        continue;
      }
      StringWriter out = new StringWriter();
      CommandLine command = new CommandLine(new StageFleetCommand());
      command.setOut(new PrintWriter(out));
      int code = command.execute(name, "--help");
      assertThat(code).as(name + " --help").isZero();
      assertThat(out.toString()).as(name + " --help").contains("Usage:").contains(name);
    }
  }
}
