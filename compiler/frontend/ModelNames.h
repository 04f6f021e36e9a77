//===- ModelNames.h - Model names that cannot break their library -*- C++ -*-===//
//
// A model named M exports M_create, M_destroy, ..., M_<entry> from its model.so and declares them
// in its C header. Those names must not be ones the library itself calls or its header already
// declares: a model named pthread_mutex would define pthread_mutex_destroy, which Halide's thread
// pool then calls inside the library (a crash), and one named dl would redeclare dl_last_error of
// dl/runtime.h (a header that does not compile). See ModelNames.cpp for what is reserved.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_MODELNAMES_H
#define DLC_FRONTEND_MODELNAMES_H

#include <string>
#include <vector>

namespace dlc {

/// Why model `model` may not have that name, or "" when its symbols (its API and `entries`, such as
/// "forward" or "train_step") are free.
std::string reservedModelName(const std::string &model, const std::vector<std::string> &entries);

} // namespace dlc

#endif // DLC_FRONTEND_MODELNAMES_H
