package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TablePrinterTest {

  @Test
  void columnsAreAsWideAsTheirWidestCellAndNumbersAlignRight() {
    String t =
        TablePrinter.withHeader("SKILL", "IN", "OUT")
            .alignRight(1, 2)
            .row("temps", "1,234", "5")
            .row("a", "7", "123,456")
            .toString();
    assertThat(t)
        .isEqualTo(
            """
            SKILL     IN      OUT
            temps  1,234        5
            a          7  123,456
            """);
  }

  @Test
  void theHeadingCanBeTheWidestCell() {
    assertThat(TablePrinter.withHeader("RECEIVERS", "X").alignRight(0).row("3", "y").toString())
        .isEqualTo("RECEIVERS  X\n        3  y\n");
  }

  @Test
  void withoutHeaderIndentGapAndMinimumWidths() {
    String t =
        TablePrinter.withoutHeader(3)
            .indent("  ")
            .gap(1)
            .minWidth(0, 6)
            .row("MB/s", "1.5", "note")
            .row("errors", "0") // missing cells print empty; no trailing spaces
            .toString();
    assertThat(t).isEqualTo("  MB/s   1.5 note\n  errors 0\n");
  }

  @Test
  void noRowsIsJustTheHeading() {
    TablePrinter p = TablePrinter.withHeader("A", "B");
    assertThat(p.rowCount()).isZero();
    assertThat(p.toString()).isEqualTo("A  B\n");
    assertThat(TablePrinter.withoutHeader(2).toString()).isEmpty();
  }

  @Test
  void tooManyCellsIsAnError() {
    assertThatThrownBy(() -> TablePrinter.withoutHeader(1).row("a", "b"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
