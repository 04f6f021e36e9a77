//===- MetricsLog.cpp - Training values a program can read ----------------===//
#include "tools/dl-run/training/MetricsLog.h"

#include "tools/dl-run/Ranks.h"

#include <cerrno>
#include <cmath>
#include <cstring>

namespace dlrun {

namespace {

std::string number(double v, bool json) {
  if (std::isnan(v))
    return json ? "null" : "nan";
  if (std::isinf(v))
    return json ? "null" : (v > 0 ? "inf" : "-inf");
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

MetricsLog::~MetricsLog() {
  if (file_)
    std::fclose(file_);
}

bool MetricsLog::open(const std::string &path, std::vector<std::string> columns, std::string &error) {
  if (path.empty() || !ranks().isRoot())
    return true;
  path_ = path;
  json_ = endsWith(path, ".jsonl") || endsWith(path, ".json");
  columns_ = std::move(columns);
  file_ = std::fopen(path.c_str(), "w");
  if (!file_) {
    error = path + ": cannot write the log: " + std::strerror(errno);
    return false;
  }
  if (!json_) {
    std::fputs("event,epoch,step,loss", file_);
    for (const std::string &c : columns_)
      std::fprintf(file_, ",%s", c.c_str());
    std::fputc('\n', file_);
  }
  return true;
}

void MetricsLog::row(const char *event, int64_t epoch, int64_t step, double loss,
                     const std::vector<double> *values) {
  if (!file_)
    return;
  if (json_) {
    std::fprintf(file_, "{\"event\": \"%s\", \"epoch\": %lld, \"step\": %lld, \"loss\": %s", event,
                 (long long)epoch, (long long)step, number(loss, true).c_str());
    if (values)
      for (size_t i = 0; i < columns_.size(); ++i)
        std::fprintf(file_, ", \"%s\": %s", columns_[i].c_str(), number((*values)[i], true).c_str());
    std::fputs("}\n", file_);
    return;
  }
  std::fprintf(file_, "%s,%lld,%lld,%s", event, (long long)epoch, (long long)step,
               number(loss, false).c_str());
  for (size_t i = 0; i < columns_.size(); ++i)
    std::fprintf(file_, ",%s", values ? number((*values)[i], false).c_str() : "");
  std::fputc('\n', file_);
}

void MetricsLog::step(int64_t epoch, int64_t step, double loss) { row("step", epoch, step, loss, nullptr); }

void MetricsLog::epoch(int64_t epoch, int64_t step, double loss, const std::vector<double> &values) {
  row("epoch", epoch, step, loss, &values);
  if (file_)
    std::fflush(file_);
}

bool MetricsLog::close(std::string &error) {
  if (!file_)
    return true;
  bool ok = std::ferror(file_) == 0;
  ok = std::fclose(file_) == 0 && ok;
  file_ = nullptr;
  if (!ok)
    error = path_ + ": writing the log failed";
  return ok;
}

} // namespace dlrun
