package io.sluice.benchmark.performance;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's PNG plots (JFreeChart, headless). */
final class Plots {
  private Plots() {}

  /** Points of one line, x ascending. */
  static final class Series {
    private final java.util.TreeMap<Double, Double> points = new java.util.TreeMap<>();

    void add(double x, double y) {
      points.put(x, y);
    }

    int size() {
      return points.size();
    }
  }

  /** Draws one line per series into {@code file}; returns the file. */
  static Path line(
      Path file, String title, String xLabel, String yLabel, Map<String, Series> lines) {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<String, Series> line : lines.entrySet()) {
      XYSeries series = new XYSeries(line.getKey());
      line.getValue().points.forEach(series::add);
      data.addSeries(series);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(renderer);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      ChartUtils.saveChartAsPNG(file.toFile(), chart, 720, 420);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the plot " + file, e);
    }
    return file;
  }
}
