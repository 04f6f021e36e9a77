//===- Loading.cpp - Source files, imports and globals --------------------===//
//
// How a program comes in: readFile (a regular source file of bounded size), the prelude compiled
// into the binary, the main file and its imports (each loaded once, cycles refused), and the
// globals they declare: layers (a user's may replace a built-in one), constants (with their -D
// overrides), models and train blocks.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"
#include "compiler/frontend/Parser.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace dlc {

static const char kPrelude[] =
#include "Prelude.inc"
    ;

bool readFile(const std::string &path, std::string &contents, std::string &error) {
  // Only a regular file of at most 16 MiB: /dev/zero would be read until memory runs out, a FIFO
  // would block forever. The type is checked before opening (opening a device may act on it) and
  // again on what was opened; O_NONBLOCK keeps even that open from waiting for a FIFO's writer.
  constexpr uint64_t kMaxSourceBytes = uint64_t(16) << 20;
  auto notRegular = [&](const struct stat &info) {
    if (S_ISREG(info.st_mode))
      return false;
    error = "'" + path + "' is " +
            (S_ISDIR(info.st_mode)    ? "a directory"
             : S_ISFIFO(info.st_mode) ? "not a regular file (a FIFO)"
             : S_ISCHR(info.st_mode)  ? "not a regular file (a character device)"
             : S_ISBLK(info.st_mode)  ? "not a regular file (a block device)"
             : S_ISSOCK(info.st_mode) ? "not a regular file (a socket)"
                                      : "not a regular file");
    return true;
  };
  auto tooLarge = [&](uint64_t bytes) {
    error = "'" + path + "' is larger than 16 MiB (" + std::to_string(bytes) +
            " bytes), the most a source file may hold";
    return false;
  };
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  if (notRegular(info))
    return false;
  if (uint64_t(info.st_size) > kMaxSourceBytes)
    return tooLarge(uint64_t(info.st_size));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  if (::fstat(fd, &info) != 0 || notRegular(info)) {
    ::close(fd);
    return false;
  }
  // Read at most one byte past the limit, so a file that grows meanwhile is still refused.
  std::string text;
  char buffer[65536];
  while (text.size() <= kMaxSourceBytes) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      error = "cannot read '" + path + "': " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0)
      break;
    text.append(buffer, size_t(n));
  }
  ::close(fd);
  if (text.size() > kMaxSourceBytes)
    return tooLarge(text.size());
  contents = std::move(text);
  return true;
}

bool Elaborator::load(uint32_t file) {
  std::vector<std::string> stack;
  if (options_.prelude) {
    uint32_t prelude = sources_.add(kPreludeName, kPrelude);
    preludeFile_ = prelude;
    if (!loadModule(prelude, stack))
      return false;
  }
  if (!loadModule(file, stack))
    return false;
  declareGlobals();
  return !diags_.hasErrors();
}

bool Elaborator::loadModule(uint32_t file, std::vector<std::string> &stack) {
  std::unique_ptr<ast::Module> module = parseFile(sources_, file, diags_);
  if (diags_.hasErrors())
    return false;
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string self = fs::weakly_canonical(sources_.name(file), ec).string();
  stack.push_back(self);
  loadedPaths_.insert(self);
  for (const ast::ImportDecl &import : module->imports) {
    fs::path dir = fs::path(sources_.name(file)).parent_path();
    std::string path = (dir / import.path).string();
    std::string canonical = fs::weakly_canonical(path, ec).string();
    if (std::find(stack.begin(), stack.end(), canonical) != stack.end()) {
      error(import.loc, "import cycle: '" + import.path + "' imports this file again");
      return false;
    }
    if (loadedPaths_.count(canonical))
      continue;  // Each file is loaded once, however often it is imported.
    std::string text, why;
    if (!readFile(path, text, why)) {
      error(import.loc, "cannot import \"" + import.path + "\": " + why);
      return false;
    }
    if (!loadModule(sources_.add(path, std::move(text)), stack))
      return false;
  }
  stack.pop_back();
  modules_.push_back(std::move(module));
  return true;
}

std::optional<Val> Elaborator::parseDefine(const std::string &text) {
  if (text == "true" || text == "false")
    return Val::boolean(text == "true");
  // An integer in decimal or, as in C, in hexadecimal (0x10, never a float 16); never octal (010
  // is ten). Anything else strtod reads in full is a number.
  size_t sign = !text.empty() && (text[0] == '-' || text[0] == '+');
  bool hex = text.size() > sign + 2 && text[sign] == '0' &&
             (text[sign + 1] == 'x' || text[sign + 1] == 'X');
  char *end = nullptr;
  errno = 0;
  long long i = std::strtoll(text.c_str(), &end, hex ? 16 : 10);
  if (!text.empty() && *end == '\0' && errno == 0)
    return Val::integer(i);
  if (hex)
    return std::nullopt;  // No hexadecimal floats (0x1p3), and no hexadecimal beyond int64.
  errno = 0;
  double d = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0' && errno == 0)
    return Val::number(d);
  return std::nullopt;
}

void Elaborator::declareGlobals() {
  std::map<std::string, SourceLoc> layerLocs;
  std::set<std::string> overridden;
  for (const auto &module : modules_) {
    bool isPrelude = options_.prelude && module == modules_.front();
    for (const auto &layer : module->layers) {
      if (const SourceLoc *previous = globals_.definedHere(layer->name)) {
        // A user's layer may replace a built-in one; anything else is a redefinition.
        if (previous->file != modules_.front()->file || !options_.prelude || isPrelude) {
          error(layer->loc, "'" + layer->name + "' is already defined at " +
                                       sources_.name(previous->file) + ":" +
                                       std::to_string(previous->line));
          continue;
        }
      }
      globals_.define(layer->name, Val::ofLayer(layer.get()), layer->loc);
    }
    for (const ast::ConstDecl &c : module->consts) {
      if (const SourceLoc *previous = globals_.definedHere(c.name)) {
        error(c.loc, "'" + c.name + "' is already defined at " +
                                sources_.name(previous->file) + ":" + std::to_string(previous->line));
        continue;
      }
      std::optional<Val> value;
      for (const auto &[name, text] : options_.defines) {
        if (name != c.name)
          continue;
        value = parseDefine(text);
        if (!value) {
          error({}, "-D " + name + "=" + text + ": the value must be a number or true/false");
          value = Val();
        }
        overridden.insert(name);
      }
      if (!value)
        value = eval(c.value.get(), globals_);
      if (value && value->kind != Val::Kind::Int && value->kind != Val::Kind::Float &&
          value->kind != Val::Kind::Bool && value->kind != Val::Kind::String &&
          value->kind != Val::Kind::None) {
        error(c.value->loc, "constant '" + c.name +
                                       "' must be a number, a bool or a string, not " +
                                       value->describe());
        value = Val();
      }
      globals_.define(c.name, value ? *value : Val(), c.loc);
    }
    for (const auto &model : module->models) {
      auto [it, inserted] = models_.emplace(model->name, model.get());
      if (!inserted) {
        error(model->loc, "model '" + model->name + "' is already defined at line " +
                                     std::to_string(it->second->loc.line));
        continue;
      }
      modelOrder_.push_back(model.get());
    }
    for (const ast::TrainDecl &train : module->trains)
      trains_.push_back(&train);
  }
  for (const auto &[name, text] : options_.defines) {
    if (overridden.count(name))
      continue;
    std::vector<std::string> consts;
    for (const auto &module : modules_)
      for (const ast::ConstDecl &c : module->consts)
        consts.push_back(c.name);
    error({}, "-D " + name + "=" + text + ": there is no constant '" + name + "'" +
                         didYouMean(name, consts));
  }
}

} // namespace dlc
