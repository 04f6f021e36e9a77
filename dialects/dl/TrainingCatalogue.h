//===- TrainingCatalogue.h - The optimizers and learning-rate schedules -*- C++ -*-===//
//
// The one list of dl's optimizers and learning-rate schedules: each one's name, its
// hyperparameters in the order a user may give them positionally, their defaults (torch.optim's)
// or that they are required, what each holds (a number, a true/false flag, a count of steps) and
// the values the frontend accepts. Three readers:
//
//   compiler/frontend/Training.cpp        fills a dl.train from a train block, defaults included
//   dialects/dl/ops/ModelOps.cpp          dl.train's verifier: known names, every hyperparameter
//   compiler/transforms/ExpandOptimizers  dispatches on Optimizer and Schedule; the update rules
//                                         and the schedules' formulas stay there
//
// Plain C++ with no MLIR, like ShapeRules.h. A new optimizer is one row here and one case in
// ExpandOptimizers.cpp; test/unit/frontend/ElaboratorTest.cpp compiles every row through the
// frontend and the verifier.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TRAININGCATALOGUE_H
#define DL_TRAININGCATALOGUE_H

#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

namespace dl::training {

/// What a hyperparameter holds, and so its attribute in dl.train: f64, bool or i64.
enum class Kind { Number, Flag, Count };

/// The values a number or a count may take (a flag is true or false).
enum class Range {
  NonNegative, ///< 0 or more.
  Positive,    ///< More than 0.
  Fraction,    ///< 0 or more and below 1 (a decay rate); the verifier checks only the lower end.
};

/// The default of a hyperparameter the user must give.
inline constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

/// One hyperparameter of an optimizer or argument of a schedule. A name means the same (kind and
/// range) wherever it appears.
struct Hyperparameter {
  std::string_view name;
  double defaultValue; ///< kRequired, or the value filled in when the user gives none.
  Kind kind = Kind::Number;
  Range range = Range::NonNegative;

  bool required() const { return std::isnan(defaultValue); }
};

enum class Optimizer { Sgd, RmsProp, Adagrad, Adam, AdamW };

struct OptimizerEntry {
  std::string_view name;
  Optimizer id;
  std::vector<Hyperparameter> hyperparameters; ///< In positional order.
  /// Decays the weights itself (its own `weight_decay`, decoupled from the gradient, as AdamW
  /// does) rather than through the train block's L2 penalty, which then sets that hyperparameter.
  bool decoupledWeightDecay = false;
};

enum class Schedule { Constant, Step, Cosine };

struct ScheduleEntry {
  std::string_view name;
  Schedule id;
  std::vector<Hyperparameter> hyperparameters; ///< Its arguments, in positional order.
};

namespace detail {
inline Hyperparameter number(std::string_view name, double defaultValue,
                             Range range = Range::NonNegative) {
  return {name, defaultValue, Kind::Number, range};
}
inline Hyperparameter flag(std::string_view name, bool defaultValue) {
  return {name, defaultValue ? 1.0 : 0.0, Kind::Flag};
}
inline Hyperparameter count(std::string_view name, double defaultValue, Range range) {
  return {name, defaultValue, Kind::Count, range};
}
} // namespace detail

/// The optimizers of dsl.md, with torch.optim's defaults.
inline const std::vector<OptimizerEntry> &optimizers() {
  using detail::flag, detail::number;
  constexpr Range positive = Range::Positive, fraction = Range::Fraction;
  static const std::vector<OptimizerEntry> table = {
      {"sgd", Optimizer::Sgd,
       {number("lr", kRequired, positive), number("momentum", 0.0), flag("nesterov", false)}},
      {"rmsprop", Optimizer::RmsProp,
       {number("lr", 0.01, positive), number("alpha", 0.99, fraction),
        number("eps", 1e-8, positive)}},
      {"adagrad", Optimizer::Adagrad,
       {number("lr", 0.01, positive), number("eps", 1e-10, positive)}},
      {"adam", Optimizer::Adam,
       {number("lr", 1e-3, positive), number("beta1", 0.9, fraction),
        number("beta2", 0.999, fraction), number("eps", 1e-8, positive)}},
      {"adamw", Optimizer::AdamW,
       {number("lr", 1e-3, positive), number("beta1", 0.9, fraction),
        number("beta2", 0.999, fraction), number("eps", 1e-8, positive),
        number("weight_decay", 0.01)},
       /*decoupledWeightDecay=*/true},
  };
  return table;
}

/// The learning-rate schedules; `constant`, the default, takes nothing.
inline const std::vector<ScheduleEntry> &schedules() {
  using detail::count, detail::number;
  constexpr Range positive = Range::Positive;
  static const std::vector<ScheduleEntry> table = {
      {"constant", Schedule::Constant, {}},
      {"step", Schedule::Step, {count("every", kRequired, positive), number("gamma", 0.1)}},
      // `total` counts the warmup steps too; a warmup of 0 steps is none.
      {"cosine", Schedule::Cosine,
       {count("warmup", 0, Range::NonNegative), count("total", kRequired, positive)}},
  };
  return table;
}

/// The entry of `table` (optimizers() or schedules()) called `name`, or null.
template <typename Entry>
const Entry *find(const std::vector<Entry> &table, std::string_view name) {
  for (const Entry &e : table)
    if (e.name == name)
      return &e;
  return nullptr;
}

inline const OptimizerEntry *findOptimizer(std::string_view name) {
  return find(optimizers(), name);
}
inline const ScheduleEntry *findSchedule(std::string_view name) { return find(schedules(), name); }

/// The hyperparameter called `name` in `list`, or null.
inline const Hyperparameter *findHyperparameter(const std::vector<Hyperparameter> &list,
                                                std::string_view name) {
  for (const Hyperparameter &h : list)
    if (h.name == name)
      return &h;
  return nullptr;
}

/// What an optimizer's hyperparameter called `name` means, whichever optimizer lists it; null for
/// a name no optimizer takes.
inline const Hyperparameter *findOptimizerHyperparameter(std::string_view name) {
  for (const OptimizerEntry &o : optimizers())
    if (const Hyperparameter *h = findHyperparameter(o.hyperparameters, name))
      return h;
  return nullptr;
}

} // namespace dl::training

#endif // DL_TRAININGCATALOGUE_H
