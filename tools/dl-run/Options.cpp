//===- Options.cpp - Parsing and checking dl-run's command line -----------===//
#include "tools/dl-run/Options.h"
#include "tools/dl-run/training/TrainSchedule.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace dlrun {

namespace {

struct FlagSpec {
  const char *name;
  bool takesValue;
  std::vector<std::string> commands;
};

const std::vector<FlagSpec> &flagSpecs() {
  static const std::vector<FlagSpec> specs = {
      {"--data", true, {"train", "eval"}},
      {"--text", true, {"train", "eval", "sample"}},
      {"--prompt", true, {"sample"}},
      {"--length", true, {"sample"}},
      {"--temperature", true, {"sample"}},
      {"--inputs", true, {"train", "eval", "predict"}},
      {"--epochs", true, {"train"}},
      {"--steps", true, {"train", "bench"}},
      {"--warmup", true, {"bench"}},
      {"--limit", true, {"train", "eval"}},
      {"--shuffle", false, {"train"}},
      {"--no-shuffle", false, {"train"}},
      {"--losses", true, {"train"}},
      {"--plot", true, {"train"}},
      {"--on-nonfinite", true, {"train"}},
      {"--accumulate", true, {"train"}},
      {"--csv", true, {"train", "eval", "predict"}},
      {"--val", true, {"train"}},
      {"--val-inputs", true, {"train"}},
      {"--test-inputs", true, {"train"}},
      {"--early-stop", true, {"train"}},
      {"--monitor", true, {"train"}},
      {"--save-best", true, {"train"}},
      {"--log", true, {"train"}},
      {"--distributed", true, {"train", "eval"}},
      {"--init", true, {"train", "eval", "predict", "bench", "sample"}},
      {"--save", true, {"train"}},
      {"--out", true, {"predict", "sample"}},
      {"--output", true, {"sample"}},
      {"--columns", true, {"sample", "train", "eval", "predict"}},
      {"--step", true, {"train"}},
      {"--schedule", true, {"train"}},
      {"--pixels", true, {"train", "eval"}},
      {"--entry", true, {"eval", "predict", "bench", "sample"}},
      {"--seed", true, {"train", "eval", "predict", "bench", "sample"}},
      {"--threads", true, {"train", "eval", "predict", "bench", "sample"}},
      {"--device", true, {"train", "eval", "predict", "bench", "sample"}},
  };
  return specs;
}

const std::vector<std::string> kCommands = {"train", "eval", "predict", "bench", "sample", "info"};

bool parseInteger(const std::string &text, int64_t min, int64_t &out) {
  if (text.empty() || text[0] < '0' || text[0] > '9')
    return false;
  errno = 0;
  char *end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno || *end || v > uint64_t(INT64_MAX) || int64_t(v) < min)
    return false;
  out = int64_t(v);
  return true;
}

bool parseNonNegative(const std::string &text, double &out) {
  if (text.empty() || !((text[0] >= '0' && text[0] <= '9') || text[0] == '.'))
    return false;
  errno = 0;
  char *end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !errno && !*end && std::isfinite(out);
}

bool parseSeed(const std::string &text, uint64_t &out) {
  if (text.empty() || text[0] < '0' || text[0] > '9')
    return false;
  errno = 0;
  char *end = nullptr;
  out = std::strtoull(text.c_str(), &end, 10);
  return !errno && !*end;
}

} // namespace

bool Options::rowTable() const {
  return command == "train" && (isGiven("--csv") || (isGiven("--inputs") && !isGiven("--steps")));
}

bool Options::isGiven(const std::string &flag) const {
  return std::find(given.begin(), given.end(), flag) != given.end();
}

bool parseOptions(int argc, char **argv, Options &options, std::ostream &err) {
  auto usage = [&](const std::string &message) {
    err << "dl-run: error: " << message << "\n(run 'dl-run --help' for usage)\n";
    return false;
  };
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      options.help = true;
      continue;
    }
    if (arg == "--version") {
      options.version = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
      continue;
    }
    std::string flag = arg.substr(0, arg.find('='));
    auto spec = std::find_if(flagSpecs().begin(), flagSpecs().end(),
                             [&](const FlagSpec &s) { return flag == s.name; });
    if (spec == flagSpecs().end())
      return usage("unknown option '" + arg + "'");
    std::string value;
    if (spec->takesValue) {
      if (arg.find('=') != std::string::npos)
        value = arg.substr(arg.find('=') + 1);
      else if (i + 1 < argc)
        value = argv[++i];
      else
        return usage(flag + " needs a value");
      if (value.empty())
        return usage(flag + " needs a value");
    } else if (arg != flag) {
      return usage(flag + " takes no value");
    }
    options.given.push_back(flag);
    int64_t number = 0;
    auto integer = [&](int64_t min, int64_t &out) {
      if (!parseInteger(value, min, number))
        return usage(flag + " needs " + (min > 0 ? "a positive" : "a non-negative") +
                     " integer, not '" + value + "'");
      out = number;
      return true;
    };
    if (flag == "--data") {
      options.data = value;
    } else if (flag == "--text") {
      options.text = value;
    } else if (flag == "--prompt") {
      options.prompt = value;
    } else if (flag == "--length") {
      if (!integer(1, options.length))
        return false;
    } else if (flag == "--temperature") {
      if (!parseNonNegative(value, options.temperature))
        return usage("--temperature needs a non-negative number, not '" + value + "'");
    } else if (flag == "--inputs" || flag == "--val-inputs" || flag == "--test-inputs" ||
               (flag == "--columns" && value.find('=') != std::string::npos)) {
      auto &list = flag == "--inputs"       ? options.inputs
                   : flag == "--val-inputs" ? options.valInputs
                   : flag == "--columns"    ? options.columnSpecs
                                            : options.testInputs;
      const char *form = flag == "--columns" ? "NAME=COLUMNS,..." : "NAME=FILE,NAME=FILE,...";
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
          return usage(flag + " expects " + form + ", not '" + item + "'");
        std::string name = item.substr(0, eq);
        for (const auto &given : list)
          if (given.first == name)
            return usage(flag + " gives '" + name + "' twice");
        list.push_back({name, item.substr(eq + 1)});
        if (comma == std::string::npos)
          break;
        start = comma + 1;
      }
    } else if (flag == "--epochs") {
      if (!integer(1, options.epochs))
        return false;
    } else if (flag == "--steps") {
      if (!integer(1, options.steps))
        return false;
    } else if (flag == "--warmup") {
      if (!integer(0, options.warmup))
        return false;
    } else if (flag == "--columns") {
      if (!integer(1, options.columns))
        return false;
    } else if (flag == "--limit") {
      if (!integer(1, options.limit))
        return false;
    } else if (flag == "--threads") {
      int64_t threads = 0;
      if (!integer(0, threads))
        return false;
      if (threads > 4096)
        return usage("--threads " + value + " is more than 4096");
      options.threads = int(threads);
    } else if (flag == "--device") {
      if (value != "cpu" && value != "cuda")
        return usage("--device needs cpu or cuda, not '" + value + "'");
      options.device = value;
    } else if (flag == "--seed") {
      if (!parseSeed(value, options.seed))
        return usage("--seed needs an integer between 0 and 2^64 - 1, not '" + value + "'");
    } else if (flag == "--shuffle" || flag == "--no-shuffle") {
      options.shuffle = flag == "--shuffle";
    } else if (flag == "--losses") {
      options.losses = value;
    } else if (flag == "--csv") {
      options.csv = value;
    } else if (flag == "--val") {
      char *end = nullptr;
      options.valFraction = std::strtod(value.c_str(), &end);
      if (end != value.c_str() + value.size() || !(options.valFraction > 0 && options.valFraction < 1))
        return usage("--val takes the fraction of rows to hold out, between 0 and 1, not '" + value + "'");
    } else if (flag == "--early-stop") {
      if (!integer(1, options.earlyStop))
        return false;
    } else if (flag == "--monitor") {
      if (value != "val_loss" && value != "val_accuracy" && value != "val_rmse" && value != "val_mae")
        return usage("--monitor takes val_loss, val_accuracy, val_rmse or val_mae, not '" + value + "'");
      options.monitor = value;
    } else if (flag == "--save-best") {
      options.saveBest = value;
    } else if (flag == "--log") {
      options.log = value;
    } else if (flag == "--accumulate") {
      if (!integer(1, options.accumulate))
        return false;
      if (options.accumulate > 65536)
        return usage("--accumulate " + value + " is more than 65536");
    } else if (flag == "--distributed") {
      if (value != "mpi" && value != "none")
        return usage("--distributed takes mpi or none, not '" + value + "'");
      options.distributed = value;
    } else if (flag == "--on-nonfinite") {
      if (value != "stop" && value != "skip")
        return usage("--on-nonfinite takes stop or skip, not '" + value + "'");
      options.skipNonFinite = value == "skip";
    } else if (flag == "--plot") {
      options.plot = value;
    } else if (flag == "--init") {
      options.init = value;
    } else if (flag == "--save") {
      options.save = value;
    } else if (flag == "--out") {
      options.out = value;
    } else if (flag == "--output") {
      options.output = value;
    } else if (flag == "--step") {
      options.step = value;
    } else if (flag == "--schedule") {
      std::string error;
      if (!parseSchedule(value, options.schedule, error))
        return usage(error);
    } else if (flag == "--pixels") {
      if (value != "unit" && value != "standardized")
        return usage("--pixels takes standardized or unit, not '" + value + "'");
      options.unitPixels = value == "unit";
    } else if (flag == "--entry") {
      options.entry = value;
    }
  }
  if (options.help || options.version)
    return true;
  if (positional.empty())
    return usage("no command (expected train, eval, predict, bench, sample or info)");
  options.command = positional[0];
  if (std::find(kCommands.begin(), kCommands.end(), options.command) == kCommands.end())
    return usage("unknown command '" + options.command +
                 "' (expected train, eval, predict, bench, sample or info)");
  if (positional.size() < 2)
    return usage("'dl-run " + options.command + "' needs a MODEL.so");
  if (positional.size() > 2)
    return usage("unexpected argument '" + positional[2] + "'");
  options.model = positional[1];

  auto given = [&](const char *flag) {
    return std::find(options.given.begin(), options.given.end(), flag) != options.given.end();
  };
  for (const std::string &flag : options.given) {
    const FlagSpec &spec = *std::find_if(flagSpecs().begin(), flagSpecs().end(),
                                         [&](const FlagSpec &s) { return flag == s.name; });
    if (std::find(spec.commands.begin(), spec.commands.end(), options.command) == spec.commands.end())
      return usage(flag + " does not apply to 'dl-run " + options.command + "'");
  }
  const std::string &command = options.command;
  bool data = given("--data"), csv = given("--csv"), inputs = given("--inputs") || csv,
       text = given("--text");
  if (csv && given("--inputs"))
    return usage("give either --inputs or --csv, not both");
  if (csv && options.columnSpecs.empty())
    return usage("--csv needs --columns NAME=COLUMNS,... (x=0:8,y=8, or the header's names)");
  if (!options.columnSpecs.empty() && !csv)
    return usage("--columns NAME=COLUMNS goes with --csv FILE");
  if (command == "train" || command == "eval") {
    if (int(data) + int(inputs) + int(text) > 1)
      return usage(std::string("give either ") + (data ? "--data" : "--inputs") + " or " +
                   (text ? "--text" : "--inputs") + ", not both");
    if (command == "train" && !data && !inputs && !text)
      return usage("'dl-run train' needs --data fashion-mnist|PATH, --inputs NAME=FILE,... or --text FILE");
    if (command == "eval" && !data && !inputs && !text)
      return usage("'dl-run eval' needs --data fashion-mnist|PATH, --inputs NAME=FILE,... or --text FILE");
  }
  bool rows = options.rowTable();
  for (const char *flag : {"--epochs", "--shuffle", "--no-shuffle"})
    if (inputs && !rows && given(flag))
      return usage(std::string(flag) + " applies to --data and to tables of rows (--inputs without "
                                       "--steps), not to --inputs batches run --steps times");
  for (const char *flag : {"--limit", "--schedule", "--pixels"})
    if (inputs && given(flag))
      return usage(std::string(flag) + " applies to --data, not to --inputs");
  for (const char *flag : {"--val", "--val-inputs", "--test-inputs", "--early-stop", "--monitor", "--save-best"})
    if (given(flag) && !rows)
      return usage(std::string(flag) + " applies to tables of rows: train --inputs NAME=FILE,... "
                                       "without --steps, or --csv");
  if (given("--val") && given("--val-inputs"))
    return usage("give either --val FRACTION or --val-inputs, not both");
  if ((given("--early-stop") || given("--monitor") || given("--save-best")) && !given("--val") &&
      !given("--val-inputs"))
    return usage("--early-stop, --monitor and --save-best watch the validation rows: give --val "
                 "FRACTION or --val-inputs NAME=FILE,...");
  if (given("--log") && !data && !rows)
    return usage("--log goes with --data or a table of rows (--inputs without --steps, or --csv)");
  for (const char *flag : {"--limit", "--shuffle", "--no-shuffle", "--schedule", "--pixels"})
    if (text && given(flag))
      return usage(std::string(flag) + " applies to --data, not to --text");
  if (command == "train") {
    if (data && given("--steps"))
      return usage("--steps goes with --inputs or --text; with --data, train runs --epochs epochs");
    if ((data || text || rows) && given("--losses"))
      return usage("--losses goes with --inputs run --steps times (use --log with epochs)");
    if (given("--step") && given("--schedule"))
      return usage("give either --step or --schedule, not both");
  }
  if (command == "predict") {
    if (!inputs && !csv)
      return usage("'dl-run predict' needs --inputs NAME=FILE,...");
    if (options.out.empty())
      return usage("'dl-run predict' needs --out FILE.npy");
  }
  if (command == "sample" && text) {
    for (const char *flag : {"--out", "--output", "--columns"})
      if (given(flag))
        return usage(std::string(flag) + " goes with image samples; with --text, sample prints text");
    if (!given("--prompt"))
      return usage("'dl-run sample --text' needs --prompt TEXT");
  } else if (command == "sample") {
    for (const char *flag : {"--prompt", "--length", "--temperature"})
      if (given(flag))
        return usage(std::string(flag) + " goes with --text FILE");
    if (options.out.empty())
      return usage("'dl-run sample' needs --out FILE.png or --text FILE");
  }
  if (command == "bench" && options.steps < 0)
    options.steps = 50;
  return true;
}

} // namespace dlrun
