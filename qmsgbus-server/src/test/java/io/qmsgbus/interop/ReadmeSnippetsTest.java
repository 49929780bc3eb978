package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's Python and JavaScript examples are excerpts of the files the interop tests run: a
 * fenced code block whose first line is a comment naming a file under {@code clients/} ({@code #
 * clients/python/examples/sender.py (excerpt)}) must appear in that file, line for line (the file's
 * copy may be indented as a whole); a {@code # ...} or {@code // ...} line separates pieces that
 * appear in that order, in the root {@code README.md}.
 */
class ReadmeSnippetsTest {

  private static final Pattern BLOCK =
      Pattern.compile(
          "^```(python|js|javascript)\\n(.*?)^```$", Pattern.MULTILINE | Pattern.DOTALL);
  private static final Pattern HEADER = Pattern.compile("^(#|//) (clients/\\S+)( \\(excerpt\\))?$");

  record Excerpt(String source, String file, List<List<String>> pieces) {}

  @Test
  void readmeExcerptsAreTheTestedFiles() throws IOException {
    Path root = InteropEnvironment.repoRoot();
    List<Excerpt> excerpts = excerpts(root.resolve("README.md"));
    assertThat(excerpts)
        .extracting(Excerpt::file)
        .contains(
            "clients/python/examples/sender.py",
            "clients/python/examples/receiver.py",
            "clients/python/examples/buffering.py",
            "clients/python/examples/fastpush.py",
            "clients/js/examples/sender.js",
            "clients/js/examples/receiver.js");
    for (Excerpt excerpt : excerpts) {
      assertExcerptOf(root, excerpt);
    }
  }

  private static List<Excerpt> excerpts(Path markdown) throws IOException {
    String text = Files.readString(markdown, StandardCharsets.UTF_8).replace("\r\n", "\n");
    List<Excerpt> result = new ArrayList<>();
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      List<String> lines = List.of(block.group(2).split("\n", -1));
      Matcher header = HEADER.matcher(lines.get(0));
      if (!header.matches()) {
        continue; // a block that does not claim to be a file's excerpt
      }
      String separator = header.group(1) + " ...";
      List<List<String>> pieces = new ArrayList<>();
      List<String> piece = new ArrayList<>();
      // the block ends with the newline before the closing fence: drop that last empty string
      for (String line : lines.subList(1, lines.size() - 1)) {
        if (line.equals(separator)) {
          pieces.add(piece);
          piece = new ArrayList<>();
        } else {
          piece.add(line);
        }
      }
      pieces.add(piece);
      result.add(new Excerpt(markdown.getFileName().toString(), header.group(2), pieces));
    }
    return result;
  }

  private static void assertExcerptOf(Path root, Excerpt excerpt) throws IOException {
    Path file = root.resolve(excerpt.file());
    assertThat(file).as("%s names %s", excerpt.source(), excerpt.file()).isRegularFile();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int from = 0;
    for (List<String> piece : excerpt.pieces()) {
      int at = find(lines, piece, from);
      assertThat(at)
          .as(
              "%s: this excerpt is not in %s (edit the file, then copy it again):%n%s",
              excerpt.source(), excerpt.file(), String.join("\n", piece))
          .isNotNegative();
      from = at + piece.size();
    }
  }

  /** Where {@code piece} starts in {@code lines} at or after {@code from}, indented as a whole. */
  private static int find(List<String> lines, List<String> piece, int from) {
    assertThat(piece).as("an empty excerpt piece").isNotEmpty();
    String first = piece.get(0);
    for (int start = from; start + piece.size() <= lines.size(); start++) {
      String candidate = lines.get(start);
      if (!candidate.endsWith(first)
          || !candidate.substring(0, candidate.length() - first.length()).isBlank()) {
        continue;
      }
      String indent = candidate.substring(0, candidate.length() - first.length());
      boolean all = true;
      for (int i = 1; i < piece.size() && all; i++) {
        String want = piece.get(i);
        String have = lines.get(start + i);
        all = want.isEmpty() ? have.isBlank() : have.equals(indent + want);
      }
      if (all) {
        return start;
      }
    }
    return -1;
  }
}
