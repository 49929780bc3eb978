package io.qmsgbus.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plain-text tables for the terminal: each column as wide as its widest cell (or a set minimum),
 * left-aligned unless marked right-aligned (numbers), columns a fixed gap apart, no trailing
 * spaces. Used by {@code qmsgbus stats} and {@code qmsgbus bench}.
 */
public final class TablePrinter {

  private final int columns;
  private final String[] head;
  private final boolean[] right;
  private final int[] minWidth;
  private final List<String[]> rows = new ArrayList<>();
  private String indent = "";
  private String gap = "  ";

  private TablePrinter(int columns, String[] head) {
    this.columns = columns;
    this.head = head;
    this.right = new boolean[columns];
    this.minWidth = new int[columns];
  }

  /** A table whose first line is these column headings. */
  public static TablePrinter withHeader(String... head) {
    return new TablePrinter(head.length, head.clone());
  }

  /** A table of {@code columns} columns with no heading line. */
  public static TablePrinter withoutHeader(int columns) {
    return new TablePrinter(columns, null);
  }

  /** Right-aligns these columns (0-based), for numbers. */
  public TablePrinter alignRight(int... cols) {
    for (int c : cols) {
      right[c] = true;
    }
    return this;
  }

  /** Makes column {@code col} at least {@code width} characters wide. */
  public TablePrinter minWidth(int col, int width) {
    minWidth[col] = width;
    return this;
  }

  /** Puts {@code indent} before every line (default none). */
  public TablePrinter indent(String indent) {
    this.indent = indent;
    return this;
  }

  /** Puts {@code spaces} spaces between columns (default 2). */
  public TablePrinter gap(int spaces) {
    this.gap = " ".repeat(spaces);
    return this;
  }

  /**
   * Adds a row; {@code null} cells print empty.
   *
   * @throws IllegalArgumentException if the row has more cells than the table has columns
   */
  public TablePrinter row(String... cells) {
    if (cells.length > columns) {
      throw new IllegalArgumentException(
          cells.length + " cells for a table of " + columns + " columns");
    }
    String[] r = Arrays.copyOf(cells, columns);
    for (int i = 0; i < columns; i++) {
      if (r[i] == null) {
        r[i] = "";
      }
    }
    rows.add(r);
    return this;
  }

  /** The number of rows added (not counting the heading). */
  public int rowCount() {
    return rows.size();
  }

  /** Appends the table, one {@code \n}-terminated line per row, to {@code out}. */
  public StringBuilder appendTo(StringBuilder out) {
    int[] w = minWidth.clone();
    for (int i = 0; i < columns; i++) {
      if (head != null) {
        w[i] = Math.max(w[i], head[i].length());
      }
      for (String[] r : rows) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    if (head != null) {
      line(out, head, w);
    }
    for (String[] r : rows) {
      line(out, r, w);
    }
    return out;
  }

  @Override
  public String toString() {
    return appendTo(new StringBuilder()).toString();
  }

  private void line(StringBuilder out, String[] cells, int[] w) {
    StringBuilder l = new StringBuilder(indent);
    for (int i = 0; i < columns; i++) {
      if (i > 0) {
        l.append(gap);
      }
      String pad = " ".repeat(w[i] - cells[i].length());
      l.append(right[i] ? pad + cells[i] : cells[i] + pad);
    }
    out.append(l.toString().stripTrailing()).append('\n');
  }
}
