//===- DataParallel.cpp - Training steps split at the gradient, over ranks ===//
#include "runtime/core/DataParallel.h"

#include "runtime/core/CudaDevice.h"
#include "runtime/core/Instance.h"

#include <cstring>

namespace dl::rt {
namespace {

std::string entryLabel(const EntrySpec &entry) { return "entry '" + entry.name + "'"; }

/// Fails `inst` with what the communicator says about its failed `what`.
dl_status communicatorFailed(dlrt_instance &inst, dl_status status, const std::string &what) {
  const dl_communicator &c = inst.communicator;
  const char *why = c.last_error ? c.last_error(c.context) : nullptr;
  return inst.fail(status == DL_OK ? DL_ERR_INTERNAL : status,
                   "data parallelism, rank " + std::to_string(c.rank) + " of " +
                       std::to_string(c.size) + ": " + what + " failed" +
                       (why && *why ? std::string(": ") + why : std::string()));
}

/// Rank 0's metadata pairs to every rank, as "key\0value\0" runs behind their byte count.
dl_status broadcastMetadata(dlrt_instance &inst) {
  const dl_communicator &c = inst.communicator;
  std::string packed;
  for (const auto &[key, value] : inst.metadata) {
    packed += key;
    packed += '\0';
    packed += value;
    packed += '\0';
  }
  uint64_t bytes = packed.size();
  if (dl_status s = c.broadcast(c.context, &bytes, sizeof bytes, 0))
    return communicatorFailed(inst, s, "broadcasting the metadata's size");
  packed.resize(bytes);
  if (bytes > 0)
    if (dl_status s = c.broadcast(c.context, packed.data(), bytes, 0))
      return communicatorFailed(inst, s, "broadcasting the metadata");
  if (c.rank == 0)
    return DL_OK;
  inst.metadata.clear();
  for (size_t at = 0; at < packed.size();) {
    size_t keyEnd = packed.find('\0', at);
    size_t valueEnd = keyEnd == std::string::npos ? keyEnd : packed.find('\0', keyEnd + 1);
    if (valueEnd == std::string::npos)
      return inst.fail(DL_ERR_INTERNAL, "data parallelism: rank 0's metadata arrived cut short");
    inst.metadata[packed.substr(at, keyEnd - at)] = packed.substr(keyEnd + 1, valueEnd - keyEnd - 1);
    at = valueEnd + 1;
  }
  return DL_OK;
}

/// Rank 0's model buffers (batch-norm running statistics) to every rank, as DDP's
/// broadcast_buffers does, so every rank evaluates and checkpoints the same model.
dl_status broadcastModelBuffers(dlrt_instance &inst) {
  const dl_communicator &c = inst.communicator;
  bool any = false;
  for (const StateSpec &s : inst.model->states)
    any |= s.role == StateRole::Buffer && s.tensor.bytes > 0;
  if (!any)
    return DL_OK;
  if (dl_status s = stateToHost(inst, /*hostMayWrite=*/true))
    return s;
  for (const StateSpec &s : inst.model->states)
    if (s.role == StateRole::Buffer && s.tensor.bytes > 0)
      if (dl_status st = c.broadcast(c.context, inst.state + s.offset, s.tensor.bytes, 0))
        return communicatorFailed(inst, st, "broadcasting buffer '" + s.tensor.name + "'");
  return DL_OK;
}

} // namespace

uint64_t kernelSeed(const dlrt_instance &inst, uint32_t batchInAccumulation) {
  uint64_t rank = inst.hasCommunicator ? static_cast<uint64_t>(inst.communicator.rank) : 0;
  // Odd multipliers (the golden ratio's and another of splitmix64's family) spread ranks and
  // batches over the key space; unsigned arithmetic wraps.
  return inst.seed + rank * 0x9E3779B97F4A7C15ull + batchInAccumulation * 0xD1B54A32D192ED03ull;
}

uint32_t pendingBatches(const dlrt_instance &inst, const EntrySpec &spec) {
  auto found = inst.pendingBatches.find(spec.gradOffset);
  return found == inst.pendingBatches.end() ? 0 : found->second;
}

dl_status clearGradientAreas(dlrt_instance &inst) {
  if (dl_status s = stateToHost(inst, /*hostMayWrite=*/true))
    return s;
  for (const StateSpec &s : inst.model->states)
    if (s.role == StateRole::Gradient)
      std::memset(inst.state + s.offset, 0, s.tensor.bytes);
  inst.pendingBatches.clear();
  return DL_OK;
}

dl_status attachCommunicator(dlrt_instance &inst, const dl_communicator *comm) {
  if (!comm) {
    inst.hasCommunicator = false;
    inst.communicator = dl_communicator{};
    return DL_OK;
  }
  if (comm->size < 1 || comm->rank < 0 || comm->rank >= comm->size)
    return inst.fail(DL_ERR_INVALID_ARGUMENT, "dl_instance_set_communicator: rank " +
                                                  std::to_string(comm->rank) + " of " +
                                                  std::to_string(comm->size) + " ranks");
  if (!comm->all_reduce_sum_f32 || !comm->broadcast || !comm->barrier)
    return inst.fail(DL_ERR_INVALID_ARGUMENT,
                     "dl_instance_set_communicator: all_reduce_sum_f32, broadcast and barrier "
                     "must not be null");
  inst.communicator = *comm;
  inst.hasCommunicator = true;
  const dl_communicator &c = inst.communicator;
  dl_status status = stateToHost(inst, /*hostMayWrite=*/true);
  if (status == DL_OK) {
    status = c.broadcast(c.context, inst.state, inst.model->stateBlockBytes, 0);
    if (status != DL_OK)
      status = communicatorFailed(inst, status, "broadcasting rank 0's state");
  }
  if (status == DL_OK) {
    uint64_t step = inst.step;
    status = c.broadcast(c.context, &step, sizeof step, 0);
    if (status != DL_OK)
      status = communicatorFailed(inst, status, "broadcasting rank 0's step");
    inst.step = step;
  }
  if (status == DL_OK)
    status = broadcastMetadata(inst);
  if (status == DL_OK)
    status = clearGradientAreas(inst);
  if (status != DL_OK) {
    inst.hasCommunicator = false;
    inst.communicator = dl_communicator{};
  }
  return status;
}

dl_status accumulateGradient(dlrt_instance &inst, int32_t entry, const void *const *inputs,
                             void *const *outputs) {
  const EntrySpec &spec = inst.model->entries[entry];
  uint32_t &pending = inst.pendingBatches[spec.gradOffset];
  if (dl_status s = runEntryFunction(inst, entry, inputs, outputs, kernelSeed(inst, pending)))
    return s;
  ++pending;
  return DL_OK;
}

dl_status applyGradient(dlrt_instance &inst, int32_t entry, void *const *outputs) {
  const EntrySpec &spec = inst.model->entries[entry];
  std::string grad = spec.step + "_grad";
  if (!inst.hasCommunicator && pendingBatches(inst, spec) == 0)
    return inst.fail(DL_ERR_INVALID_ARGUMENT, entryLabel(spec) + ": no gradient accumulated since "
                                                  "the last update; call '" + grad + "' first");
  if (inst.hasCommunicator) {
    // The area is summed where the host holds it (on the GPU, through the host mirror).
    const dl_communicator &c = inst.communicator;
    if (dl_status s = stateToHost(inst, /*hostMayWrite=*/true))
      return s;
    auto *area = reinterpret_cast<float *>(inst.state + spec.gradOffset);
    dl_status s = c.all_reduce_sum_f32(c.context, area, spec.gradBytes / sizeof(float));
    bool none = s == DL_OK && !(area[0] > 0);
    if (s != DL_OK || none) {
      // The step is lost, its batches with it: the next ones start a fresh sum.
      std::memset(inst.state + spec.gradOffset, 0, spec.gradBytes);
      inst.pendingBatches[spec.gradOffset] = 0;
      if (s != DL_OK)
        return communicatorFailed(inst, s, "summing the gradients of '" + spec.step + "'");
      return inst.fail(DL_ERR_INVALID_ARGUMENT,
                       entryLabel(spec) + ": no rank accumulated a gradient since the last "
                                          "update; call '" + grad + "' first");
    }
  }
  dl_status status = runEntryFunction(inst, entry, nullptr, outputs, kernelSeed(inst, 0));
  // Cleared even after a failure, so the next batches do not add to a half-used sum.
  if (dl_status s = stateToHost(inst, /*hostMayWrite=*/true); s != DL_OK && status == DL_OK)
    status = s;
  std::memset(inst.state + spec.gradOffset, 0, spec.gradBytes);
  inst.pendingBatches[spec.gradOffset] = 0;
  if (status != DL_OK)
    return status;
  ++inst.step;
  if (inst.hasCommunicator)
    return broadcastModelBuffers(inst);
  return DL_OK;
}

} // namespace dl::rt
