package io.qmsgbus.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Draws latency-by-percentile curves the way HdrHistogram's plotter does (x: percentile on a
 * 1/(1-p) log scale, so the tail gets the room; y: latency on a log scale), to SVG (written by
 * hand, no dependencies), HTML (the SVG plus a table) or PNG (Java2D, headless).
 */
final class LatencyPlot {

  /** One curve: points of (percentile 0..100, latency in microseconds). */
  record Series(String label, List<double[]> points, long count) {

    static Series of(String label, Histogram nanos) {
      List<double[]> pts = new ArrayList<>();
      if (nanos.getTotalCount() > 0) {
        for (HistogramIterationValue v : nanos.percentiles(5)) {
          pts.add(new double[] {v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1000.0});
        }
      }
      return new Series(label, pts, nanos.getTotalCount());
    }

    /** Reads a file written by --hist (HdrHistogram's percentile distribution, microseconds). */
    static Series read(String label, Path file) throws IOException {
      List<double[]> pts = new ArrayList<>();
      long count = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 3) {
          continue;
        }
        try {
          double value = Double.parseDouble(f[0]);
          double p = Double.parseDouble(f[1]);
          count = Math.max(count, Long.parseLong(f[2]));
          pts.add(new double[] {p * 100.0, value});
        } catch (NumberFormatException header) {
          // the column titles and the summary lines at the end
        }
      }
      if (pts.isEmpty()) {
        throw new IOException(file + ": no percentile lines (expected a file written by --hist)");
      }
      return new Series(label, pts, count);
    }
  }

  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"
  };
  private static final int W = 900;
  private static final int H = 540;
  private static final int LEFT = 90;
  private static final int RIGHT = 30;
  private static final int TOP = 56;
  private static final int BOTTOM = 70;

  private final String title;
  private final List<Series> series;
  private final double xMax;
  private final int yMinDecade;
  private final int yMaxDecade;

  LatencyPlot(String title, List<Series> series) {
    this.title = title;
    this.series = List.copyOf(series);
    long maxCount = 1;
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Series s : series) {
      maxCount = Math.max(maxCount, s.count());
      for (double[] p : s.points()) {
        if (p[1] > 0) {
          lo = Math.min(lo, p[1]);
        }
        hi = Math.max(hi, p[1]);
      }
    }
    this.xMax = Math.max(2, Math.min(6, Math.ceil(Math.log10(maxCount))));
    if (hi <= 0) {
      lo = 1;
      hi = 10;
    }
    this.yMinDecade = (int) Math.floor(Math.log10(lo));
    this.yMaxDecade = Math.max(yMinDecade + 1, (int) Math.ceil(Math.log10(hi)));
  }

  /** Writes the plot; the file's extension picks the format (.svg, .html/.htm, .png). */
  void write(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    if (name.endsWith(".svg")) {
      Files.writeString(file, svg(), StandardCharsets.UTF_8);
    } else if (name.endsWith(".html") || name.endsWith(".htm")) {
      Files.writeString(file, html(), StandardCharsets.UTF_8);
    } else if (name.endsWith(".png")) {
      png(file);
    } else {
      throw new IOException("--plot FILE must end in .svg, .html or .png: " + file);
    }
  }

  // --- geometry

  private double px(double percentile) {
    double p = Math.min(percentile / 100.0, 1.0);
    double x = p >= 1.0 ? xMax : Math.min(xMax, Math.log10(1.0 / (1.0 - p)));
    return LEFT + x / xMax * (W - LEFT - RIGHT);
  }

  private double py(double micros) {
    double v = Math.log10(Math.max(micros, Math.pow(10, yMinDecade)));
    return TOP + (1.0 - (v - yMinDecade) / (yMaxDecade - yMinDecade)) * (H - TOP - BOTTOM);
  }

  /** 0 -> 0%, 1 -> 90%, 2 -> 99%, 3 -> 99.9%, ... */
  static String percentileLabel(int decade) {
    return switch (decade) {
      case 0 -> "0%";
      case 1 -> "90%";
      case 2 -> "99%";
      default -> "99." + "9".repeat(decade - 2) + "%";
    };
  }

  private static String latencyLabel(double micros) {
    if (micros >= 1_000_000) {
      return fmt(micros / 1_000_000) + " s";
    }
    if (micros >= 1000) {
      return fmt(micros / 1000) + " ms";
    }
    return fmt(micros) + " us";
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String pct(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  // --- SVG

  String svg() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n",
            W,
            H,
            W,
            H));
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"28\" font-size=\"16\" font-weight=\"bold\">%s</text>\n",
            LEFT,
            esc(title)));
    // grid and axes
    for (int d = yMinDecade; d <= yMaxDecade; d++) {
      for (int m : new int[] {1, 2, 5}) {
        double v = m * Math.pow(10, d);
        if (d == yMaxDecade && m > 1) {
          break;
        }
        double y = py(v);
        b.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\" stroke=\"%s\"/>\n",
                LEFT,
                pct(y),
                W - RIGHT,
                pct(y),
                m == 1 ? "#bbb" : "#eee"));
        if (m == 1) {
          b.append(
              String.format(
                  Locale.ROOT,
                  "<text x=\"%d\" y=\"%s\" text-anchor=\"end\">%s</text>\n",
                  LEFT - 8,
                  pct(y + 4),
                  esc(latencyLabel(v))));
        }
      }
    }
    for (int d = 0; d <= (int) xMax; d++) {
      double x = LEFT + d / xMax * (W - LEFT - RIGHT);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#bbb\"/>\n",
              pct(x),
              TOP,
              pct(x),
              H - BOTTOM));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
              pct(x),
              H - BOTTOM + 18,
              percentileLabel(d)));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>\n",
            LEFT,
            TOP,
            W - LEFT - RIGHT,
            H - TOP - BOTTOM));
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>\n",
            (LEFT + W - RIGHT) / 2,
            H - 24));
    b.append(
        String.format(
            Locale.ROOT,
            "<text transform=\"translate(22,%d) rotate(-90)\" text-anchor=\"middle\">"
                + "latency, send to receive</text>\n",
            (TOP + H - BOTTOM) / 2));
    // curves and legend
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String color = COLORS[i % COLORS.length];
      StringBuilder pts = new StringBuilder();
      for (double[] p : s.points()) {
        pts.append(pct(px(p[0]))).append(',').append(pct(py(p[1]))).append(' ');
      }
      b.append(
          String.format(
              Locale.ROOT,
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>\n",
              color,
              pts.toString().trim()));
      int ly = TOP + 18 + i * 18;
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>\n",
              LEFT + 12,
              ly - 4,
              LEFT + 36,
              ly - 4,
              color));
      b.append(
          String.format(
              Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", LEFT + 42, ly, esc(legend(s))));
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static String legend(Series s) {
    return s.label() + " (" + s.count() + " samples)";
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  // --- HTML

  String html() {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
        .append(esc(title))
        .append("</title></head>\n<body style=\"font-family: sans-serif\">\n")
        .append(svg())
        .append("<table border=\"1\" cellpadding=\"4\" style=\"border-collapse: collapse\">\n")
        .append("<tr><th>series</th><th>samples</th><th>p50</th><th>p90</th><th>p99</th>")
        .append("<th>p99.9</th><th>max</th></tr>\n");
    for (Series s : series) {
      b.append("<tr><td>")
          .append(esc(s.label()))
          .append("</td><td>")
          .append(s.count())
          .append("</td>");
      for (double p : new double[] {50, 90, 99, 99.9, 100}) {
        b.append("<td>").append(esc(latencyLabel(valueAt(s, p)))).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n</body></html>\n");
    return b.toString();
  }

  /** The latency at the first point at or above {@code percentile}. */
  static double valueAt(Series s, double percentile) {
    for (double[] p : s.points()) {
      if (p[0] >= percentile) {
        return p[1];
      }
    }
    return s.points().isEmpty() ? Double.NaN : s.points().get(s.points().size() - 1)[1];
  }

  // --- PNG

  void png(Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, W, H);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.drawString(title, LEFT, 28);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      for (int d = yMinDecade; d <= yMaxDecade; d++) {
        for (int m : new int[] {1, 2, 5}) {
          if (d == yMaxDecade && m > 1) {
            break;
          }
          double v = m * Math.pow(10, d);
          int y = (int) Math.round(py(v));
          g.setColor(m == 1 ? new Color(0xbb, 0xbb, 0xbb) : new Color(0xee, 0xee, 0xee));
          g.drawLine(LEFT, y, W - RIGHT, y);
          if (m == 1) {
            g.setColor(Color.BLACK);
            String label = latencyLabel(v);
            g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
          }
        }
      }
      for (int d = 0; d <= (int) xMax; d++) {
        int x = (int) Math.round(LEFT + d / xMax * (W - LEFT - RIGHT));
        g.setColor(new Color(0xbb, 0xbb, 0xbb));
        g.drawLine(x, TOP, x, H - BOTTOM);
        g.setColor(Color.BLACK);
        String label = percentileLabel(d);
        g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, H - BOTTOM + 18);
      }
      g.setColor(new Color(0x33, 0x33, 0x33));
      g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
      String xLabel = "percentile";
      g.drawString(xLabel, (LEFT + W - RIGHT - g.getFontMetrics().stringWidth(xLabel)) / 2, H - 24);
      Graphics2D rotated = (Graphics2D) g.create();
      rotated.translate(26, (TOP + H - BOTTOM) / 2);
      rotated.rotate(-Math.PI / 2);
      String yLabel = "latency, send to receive";
      rotated.drawString(yLabel, -rotated.getFontMetrics().stringWidth(yLabel) / 2, 0);
      rotated.dispose();
      for (int i = 0; i < series.size(); i++) {
        Series s = series.get(i);
        Color color = Color.decode(COLORS[i % COLORS.length]);
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        Path2D.Double path = new Path2D.Double();
        boolean first = true;
        for (double[] p : s.points()) {
          if (first) {
            path.moveTo(px(p[0]), py(p[1]));
            first = false;
          } else {
            path.lineTo(px(p[0]), py(p[1]));
          }
        }
        g.draw(path);
        int ly = TOP + 18 + i * 18;
        g.setStroke(new BasicStroke(3f));
        g.drawLine(LEFT + 12, ly - 4, LEFT + 36, ly - 4);
        g.setColor(Color.BLACK);
        g.drawString(legend(s), LEFT + 42, ly);
      }
    } finally {
      g.dispose();
    }
    try {
      if (!ImageIO.write(img, "png", file.toFile())) {
        throw new IOException("no PNG writer available");
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
