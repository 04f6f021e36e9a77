//===- Options.cpp - Parsing and checking dl-run's command line -----------===//
#include "tools/dl-run/Options.h"
#include "tools/dl-run/Schedule.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace dlrun {

std::string helpText() {
  return R"(OVERVIEW: dl-run, the driver of models compiled by dlc (model.so)

USAGE: dl-run train MODEL.so --data fashion-mnist|PATH [--epochs N] [--init CKPT] [--save CKPT]
                      [--seed S] [--threads T] [--shuffle|--no-shuffle] [--limit N]
                      [--step NAME|--schedule NAME:N,...] [--pixels standardized|unit]
                      [--plot FILE.png]
       dl-run train MODEL.so --inputs NAME=FILE,... --steps N [--losses FILE.csv] [--init CKPT]
                      [--save CKPT] [--seed S] [--threads T] [--step NAME] [--plot FILE.png]
       dl-run train MODEL.so --text FILE [--epochs N] [--steps N] [--init CKPT] [--save CKPT]
                      [--seed S] [--threads T] [--step NAME] [--plot FILE.png]
       dl-run eval MODEL.so --data fashion-mnist|PATH|--inputs NAME=FILE,... [--init CKPT] [--limit N]
                      [--entry NAME] [--seed S] [--threads T] [--pixels standardized|unit]
       dl-run predict MODEL.so --inputs NAME=FILE,... --out FILE.npy [--init CKPT] [--entry NAME]
                      [--seed S] [--threads T]
       dl-run bench MODEL.so [--steps N] [--warmup W] [--entry NAME] [--init CKPT] [--seed S]
                      [--threads T]
       dl-run sample MODEL.so --out FILE.png [--entry NAME] [--output NAME] [--init CKPT] [--seed S]
                      [--columns C] [--threads T]
       dl-run sample MODEL.so --text FILE --prompt TEXT [--length N] [--temperature T]
                      [--entry NAME] [--init CKPT] [--seed S] [--threads T]
       dl-run info MODEL.so

COMMANDS:
  train     With --data: trains the model's train entry on an image data set for --epochs epochs,
            in batches of the model's batch size (the last partial batch of an epoch is dropped),
            shuffled every epoch unless --no-shuffle. The f32 input whose per-sample size is the
            image size (784 for 28x28: [B, 784], [B, 1, 28, 28], ...) gets the images, an i32
            input [B] the labels (an f32 input [B, classes] gets them one-hot). After each epoch it
            prints the mean training loss, the accuracy on the training and test splits (argmax of
            the forward entry's first [B, classes] output), and the seconds of training; at the
            end, the test accuracy. A model with several train entries (a GAN's disc_step and
            gen_step) takes all of them, one after the other, on every batch, unless --step or
            --schedule says otherwise; the loss of each is printed.
            With --inputs: runs exactly --steps train steps on batches from files and writes
            step,loss to --losses.
            With --text: trains a character-level language model (see --text) for --epochs
            epochs of floor(training characters / (B*T)) steps (or --steps), each step on B
            windows of T+1 characters at random offsets of the training split (x the first T,
            y the last T). After each epoch it prints the mean training loss and the loss of the
            eval entry over the consecutive windows of the validation split that fill whole
            batches (in nats per character for a cross-entropy), and the seconds of training.
  eval      Runs the eval entry (or the forward entry; or --entry) over the test split of --data,
            or over the batches of --inputs, and prints the mean of each loss and the accuracy.
  predict   Runs the forward entry (or --entry) over every row of the --inputs files, in batches
            of the model's batch size (the last one padded), and writes its first output, one row
            per input row, to --out as .npy.
  bench     Times an entry (the train entry, else forward; or --entry) on random inputs (f32 in
            [0, 1), i32 class ids below the class count of the model's outputs) and prints the
            median and mean ms/step after --warmup untimed calls.
  sample    Calls the forward entry (or --entry) of a generative model once, inputs zero-filled,
            and writes the images of its first image-shaped f32 output (or --output): [B, N] with
            N a perfect square (784 = 28x28), [B, H, W] or [B, 1, H, W], values clamped to [0, 1],
            to --out as a grayscale PNG grid of --columns columns.
            With --text: writes the --prompt and --length characters generated after it to
            standard output. For each character it calls the forward entry with the last T
            characters in row 0 of x (every row holds the same; a shorter context is left-padded
            with spaces, or with the prompt's first character when the text has no space), takes
            the logits at the last position, and draws from softmax(logits / --temperature) over
            the vocabulary (ids below K), or takes the argmax at temperature 0.
  info      Prints the model's entries with their inputs and outputs, its parameters and
            buffers, and its memory plan in bytes.

OPTIONS:
  --data fashion-mnist|PATH  The data set: fashion-mnist is /usr/share/datasets/fashion-mnist
                    (Debian package dataset-fashion-mnist); PATH is a folder with the same four IDX
                    files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
                    t10k-labels-idx1-ubyte, each possibly .gz). Images are scaled to [0, 1], then
                    z-score normalized with the mean and standard deviation of the training split
                    (see --pixels).
  --text FILE       train, sample: a character-level language model's text, read as bytes (gzip
                    decompressed). The vocabulary is the sorted set of distinct bytes in the file
                    (id k is the k-th smallest); the model's V (the last dimension of its forward
                    entry's f32 [B, T, V] or [B*T, V] logits) must be at least its size K. The
                    first 90% of the characters are the training split, the rest the validation
                    split. The entry's two i32 [B, T] inputs take the characters: the one named x,
                    else the first not named y, the context; the other the targets (the next
                    character of each). A forward entry needs only the context.
  --prompt TEXT     sample --text: the text to continue; each character must be in the vocabulary.
  --length N        sample --text: characters to generate (200).
  --temperature T   sample --text: divides the logits before the softmax (1); 0 takes the argmax.
  --inputs NAME=FILE,...  Files of the entry's inputs (.npy, CSV or IDX, told apart by content).
                    A file of exactly the input's shape is used by every step; a file of shape
                    [N, ...input shape] gives step k batch k mod N. predict takes [rows, ...] where
                    each row holds one sample's values. May be repeated.
  --epochs N        train --data, --text: passes over the training split (1).
  --steps N         train --inputs: train steps to run; train --text: steps per epoch (instead of
                    floor(training characters / (B*T))); bench: timed calls (50).
  --warmup W        bench: untimed calls before timing (5).
  --limit N         train, eval --data: use only the first N samples of each split.
  --shuffle, --no-shuffle  train --data: shuffle the training split every epoch (the default) or not.
  --losses FILE.csv train --inputs: write step,loss (step 1 is the first call; %.9g) to FILE.csv.
  --plot FILE.png   train: draw every call's loss, one curve per train step, as a PNG (the curves'
                    colours and the loss range are printed).
  --init CKPT       Load a checkpoint (parameters, buffers, optimizer state, step) first.
  --save CKPT       train: write a checkpoint at the end (also when interrupted by Ctrl-C).
  --out FILE.npy    predict: where to write the output.
  --out FILE.png    sample: where to write the grid of images.
  --output NAME     sample: the output holding the images.
  --columns C       sample: images per row of the grid (ceil(sqrt(B))).
  --step NAME       train: the one train entry to run (default: with --data every train entry in
                    turn, with --inputs and --text the model's first).
  --schedule NAME:N,...  train --data: the train entries each batch goes through, in order, each N
                    times (N from 1 to 1000, ":N" may be left out for 1); NAME is the entry's name
                    or that name without "_step": --schedule disc:2,gen:1.
  --pixels standardized|unit  train, eval --data: z-scores with the training split's statistics
                    (the default), or the pixel values / 255 in [0, 1], which a model whose
                    output is an image (a sigmoid, a binary cross-entropy with the input) needs.
  --entry NAME      eval, predict, bench, sample: the entry to run.
  --seed S          Seed of initialization, random ops (sample's noise), shuffling, text windows,
                    text sampling and bench inputs (42).
  --threads T       Worker threads of the kernels (0: one per core, the default).
  --help            Show this help.
  --version         Show the version.

EXIT STATUS:
  0 success; 1 an error in a file, the model or the data (dl-run: error: ...); 2 a wrong command
  line; 130 training interrupted by Ctrl-C (after --save is written).
)";
}

namespace {

struct FlagSpec {
  const char *name;
  bool takesValue;
  std::vector<std::string> commands;
};

const std::vector<FlagSpec> &flagSpecs() {
  static const std::vector<FlagSpec> specs = {
      {"--data", true, {"train", "eval"}},
      {"--text", true, {"train", "sample"}},
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
      {"--init", true, {"train", "eval", "predict", "bench", "sample"}},
      {"--save", true, {"train"}},
      {"--out", true, {"predict", "sample"}},
      {"--output", true, {"sample"}},
      {"--columns", true, {"sample"}},
      {"--step", true, {"train"}},
      {"--schedule", true, {"train"}},
      {"--pixels", true, {"train", "eval"}},
      {"--entry", true, {"eval", "predict", "bench", "sample"}},
      {"--seed", true, {"train", "eval", "predict", "bench", "sample"}},
      {"--threads", true, {"train", "eval", "predict", "bench", "sample"}},
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
    } else if (flag == "--inputs") {
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
          return usage("--inputs expects NAME=FILE,NAME=FILE,..., not '" + item + "'");
        std::string name = item.substr(0, eq);
        for (const auto &given : options.inputs)
          if (given.first == name)
            return usage("--inputs gives '" + name + "' twice");
        options.inputs.push_back({name, item.substr(eq + 1)});
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
    } else if (flag == "--seed") {
      if (!parseSeed(value, options.seed))
        return usage("--seed needs an integer between 0 and 2^64 - 1, not '" + value + "'");
    } else if (flag == "--shuffle" || flag == "--no-shuffle") {
      options.shuffle = flag == "--shuffle";
    } else if (flag == "--losses") {
      options.losses = value;
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
  bool data = given("--data"), inputs = given("--inputs"), text = given("--text");
  if (command == "train" || command == "eval") {
    if (int(data) + int(inputs) + int(text) > 1)
      return usage(std::string("give either ") + (data ? "--data" : "--inputs") + " or " +
                   (text ? "--text" : "--inputs") + ", not both");
    if (command == "train" && !data && !inputs && !text)
      return usage("'dl-run train' needs --data fashion-mnist|PATH, --inputs NAME=FILE,... or --text FILE");
    if (command == "eval" && !data && !inputs)
      return usage("'dl-run eval' needs --data fashion-mnist|PATH or --inputs NAME=FILE,...");
  }
  for (const char *flag : {"--epochs", "--limit", "--shuffle", "--no-shuffle", "--schedule", "--pixels"})
    if (inputs && given(flag))
      return usage(std::string(flag) + " applies to --data, not to --inputs");
  for (const char *flag : {"--limit", "--shuffle", "--no-shuffle", "--schedule", "--pixels"})
    if (text && given(flag))
      return usage(std::string(flag) + " applies to --data, not to --text");
  if (command == "train") {
    if (data && given("--steps"))
      return usage("--steps goes with --inputs or --text; with --data, train runs --epochs epochs");
    if ((data || text) && given("--losses"))
      return usage("--losses goes with --inputs");
    if (inputs && !given("--steps"))
      return usage("'dl-run train --inputs' needs --steps N");
    if (given("--step") && given("--schedule"))
      return usage("give either --step or --schedule, not both");
  }
  if (command == "predict") {
    if (!inputs)
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
