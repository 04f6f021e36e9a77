//===- Plot.h - Loss curves as a PNG image ------------------------*- C++ -*-===//
//
// `dl-run train --plot FILE.png` draws the loss of every train call, one curve per train step, on a
// white 640x360 canvas: a frame, horizontal grid lines at tenths of the loss range, and each curve
// in its own colour, averaged over the calls that share a pixel column. There is no text (dl-run
// has no font); train prints which colour is which step and the range the axes span.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_OUTPUT_PLOT_H
#define DL_TOOLS_DLRUN_OUTPUT_PLOT_H

#include <string>
#include <utility>
#include <vector>

namespace dlrun {

/// One curve: a train step's name and its losses, call by call.
using LossSeries = std::pair<std::string, std::vector<float>>;

/// The name of the colour curve `index` is drawn in ("blue", "orange", ...).
const char *curveColourName(size_t index);

/// Writes the curves to `path` as a PNG; `summary` receives what the picture cannot say (colours,
/// calls, loss range). Non-finite losses are left out. False with `error` when the file cannot be
/// written or no curve has a finite loss.
bool writeLossPlot(const std::string &path, const std::vector<LossSeries> &curves,
                   std::string &summary, std::string &error);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_OUTPUT_PLOT_H
