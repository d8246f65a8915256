package dev.provide.train.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Help whose option descriptions wrap at spaces only. picocli wraps with the JDK's line
 * {@link java.text.BreakIterator}, which also breaks after a full stop inside a word, so file
 * names such as {@code metrics.json} or {@code train-flags.json} were cut at the dot. Here each
 * description is first wrapped at spaces into lines that fit its column, so picocli has nothing
 * left to wrap.
 */
final class SpaceWrappingHelp extends Help {
  /** Room left for the indentation picocli gives continued lines. */
  private static final int MARGIN = 3;

  SpaceWrappingHelp(CommandSpec spec, ColorScheme scheme) {
    super(spec, scheme);
  }

  /** Installs this help on {@code cl} and all its subcommands. */
  static void install(CommandLine cl) {
    cl.setHelpFactory(SpaceWrappingHelp::new);
    cl.getSubcommands().values().forEach(SpaceWrappingHelp::install);
  }

  @Override
  public Layout createDefaultLayout() {
    Layout base = super.createDefaultLayout();
    TextTable table = base.textTable();
    return new Layout(colorScheme(), table, base.optionRenderer(), base.parameterRenderer()) {
      @Override
      public void layout(ArgSpec arg, Text[][] cellValues) {
        super.layout(arg, wrap(cellValues, table.columns(), colorScheme()));
      }
    };
  }

  /** The rows with each last-column text split at spaces into lines that fit the column. */
  static Text[][] wrap(Text[][] rows, Column[] columns, ColorScheme scheme) {
    int last = columns.length - 1;
    int width = columns[last].width - columns[last].indent - MARGIN;
    List<Text[]> out = new ArrayList<>();
    for (Text[] row : rows) {
      if (row.length <= last || row[last] == null) {
        out.add(row);
        continue;
      }
      List<String> lines = lines(row[last].plainString(), width);
      for (int i = 0; i < lines.size(); i++) {
        Text[] r = new Text[row.length];
        for (int c = 0; c < row.length; c++) {
          r[c] = i == 0 ? row[c] : scheme.ansi().new Text("", scheme);
        }
        r[last] = scheme.ansi().new Text(lines.get(i), scheme);
        out.add(r);
      }
    }
    return out.toArray(new Text[0][]);
  }

  /** {@code text} in lines of at most {@code width} characters, broken at spaces (a longer word gets a line of its own). */
  static List<String> lines(String text, int width) {
    List<String> out = new ArrayList<>();
    if (text.length() <= width || width < 10) {
      out.add(text);
      return out;
    }
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        out.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    out.add(line.toString());
    return out;
  }
}
