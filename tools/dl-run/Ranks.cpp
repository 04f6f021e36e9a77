//===- Ranks.cpp - The processes of a data-parallel dl-run ----------------===//
#include "tools/dl-run/Ranks.h"

#include "dl/mpi_communicator.h"

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace dlrun {

Ranks &ranks() {
  static Ranks instance;
  return instance;
}

Ranks::~Ranks() {
  if (started_)
    dl_mpi_communicator_destroy(&comm_);
}

bool Ranks::start(const std::string &mode, std::string &error) {
  if (mode == "none" || (mode.empty() && !dl_mpi_launched()))
    return true;
  if (dl_mpi_communicator_create(&comm_) != DL_OK) {
    error = std::string("cannot join the MPI job: ") + dl_mpi_last_error();
    comm_ = dl_communicator{0, 1, nullptr, nullptr, nullptr, nullptr, nullptr};
    return false;
  }
  started_ = true;
  return true;
}

bool Ranks::sum(std::vector<double> &values, std::string &error) {
  if (!started_ || values.empty())
    return true;
  std::vector<float> floats(values.begin(), values.end());
  if (comm_.all_reduce_sum_f32(comm_.context, floats.data(), floats.size()) != DL_OK) {
    const char *why = comm_.last_error ? comm_.last_error(comm_.context) : nullptr;
    error = std::string("summing over the ranks failed") + (why ? std::string(": ") + why : "");
    return false;
  }
  values.assign(floats.begin(), floats.end());
  return true;
}

int Ranks::defaultThreads() const {
  if (!started_)
    return 0;
  unsigned cores = std::thread::hardware_concurrency();
  const char *local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  int perMachine = local ? std::atoi(local) : comm_.size;
  if (perMachine < 1)
    perMachine = 1;
  return std::max(1, static_cast<int>(cores) / perMachine);
}

int Ranks::finish(int status, const std::string &errText, std::ostream &err) {
  if (!started_ || comm_.size == 1) {
    err << errText;
    return status;
  }
  if (status == 0)
    return status; // What ranks other than 0 held back is rank 0's to say.
  if (!isRoot()) {
    // Rank 0 failing the same way (the same bad file) ends the job with its own message first.
    // Else this rank's messages (not its progress) say why the job ends.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::istringstream lines(errText);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("dl-run: ", 0) == 0)
        err << "[rank " << comm_.rank << " of " << comm_.size << "] " << line << "\n";
    err << std::flush;
  } else {
    err << errText << std::flush;
  }
  dl_mpi_abort(&comm_, status);
  return status; // Not reached.
}

} // namespace dlrun
