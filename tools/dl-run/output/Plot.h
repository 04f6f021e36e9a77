//===- Plot.h - Loss curves as a PNG image ------------------------*- C++ -*-===//
//
// `dl-run train --plot FILE.png` draws the losses of a run on a white 800x480 canvas that explains
// itself: a title, axes with round-numbered ticks (AxisTicks.h) and grid lines, the axis labels
// ("step", "loss"), and a legend naming each curve beside its colour, all in dl-run's own bitmap
// font (BitmapFont.h). A curve is either dense, a loss per train call drawn as a solid line
// averaged over the calls that share a pixel column, or sparse, such as a validation loss once an
// epoch, drawn as dots at explicit x positions joined by a dashed line. Non-finite losses are
// left out. The caller also gets a one-line summary for the terminal (colours, axis range).
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_OUTPUT_PLOT_H
#define DL_TOOLS_DLRUN_OUTPUT_PLOT_H

#include <string>
#include <utility>
#include <vector>

namespace dlrun {

/// One curve of a loss plot.
struct Curve {
  std::string name;      ///< Its legend entry: a train step's name, "validation", ...
  std::vector<float> y;  ///< Its losses.
  std::vector<double> x; ///< Each loss's place on the x axis; empty: 1, 2, 3, ... (call numbers).
  bool markers = false;  ///< Dots joined by a dashed line instead of a solid line.
};

/// The text around the curves.
struct PlotLabels {
  std::string title; ///< Above the plot; none when empty.
  std::string xLabel = "step", yLabel = "loss";
};

/// A train step's name and its losses, call by call: what dl-run's training loops collect, and
/// a Curve with default x and style (TrainOutputs.h turns one into the other).
using LossSeries = std::pair<std::string, std::vector<float>>;

/// The name of the colour curve `index` is drawn in ("blue", "orange", ...).
const char *curveColourName(size_t index);

/// Writes `curves` to `path` as a PNG, curve i in colour i. `summary` receives a line for the
/// terminal: each curve's name and colour, the loss range the y axis spans and the most losses a
/// curve has ("train_step blue, validation orange dots; loss from 0 (bottom) to 2.5 (top) over
/// 600 calls"). False with `error` when a curve's x and y differ in length, no curve has a finite
/// point, or the file cannot be written.
bool writeLossPlot(const std::string &path, const std::vector<Curve> &curves,
                   const PlotLabels &labels, std::string &summary, std::string &error);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_OUTPUT_PLOT_H
