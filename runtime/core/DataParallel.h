//===- DataParallel.h - Training steps split at the gradient, over ranks -*- C++ -*-===//
//
// A training step compiled by dlc has three entries (model_abi.h): `<step>` (fused, or split: no
// function of its own), and `<step>_grad` / `<step>_apply`, which meet in the step's gradient area
// in the state block (the count of batches, the sum of their losses, the sum of each trained
// parameter's gradient). This file runs the split form: accumulating batches, summing the area over the ranks of an attached
// communicator (dl_communicator, dl/runtime.h), applying the mean and clearing the area; and
// attaching a communicator, which makes every rank start from rank 0's state.
//
// Instance.cpp decides which form a call takes and runs entry functions; this file only calls
// back into it through runEntryFunction.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_DATAPARALLEL_H
#define DL_RUNTIME_CORE_DATAPARALLEL_H

#include "runtime/core/InstanceData.h"

namespace dl::rt {

/// The Philox key of a call's random ops: the instance's seed with its rank and the batch's place
/// in an accumulation folded in; rank 0 and the first batch keep the seed itself, so one process
/// that does not accumulate draws what it always drew.
uint64_t kernelSeed(const dlrt_instance &inst, uint32_t batchInAccumulation);

/// Attaches `comm` (copied) or, when null, detaches. Broadcasts rank 0's state block, step counter
/// and metadata, and clears every gradient area.
dl_status attachCommunicator(dlrt_instance &inst, const dl_communicator *comm);

/// Runs grad entry `entry` on the caller's inputs: adds the batch into its step's gradient area.
dl_status accumulateGradient(dlrt_instance &inst, int32_t entry, const void *const *inputs,
                             void *const *outputs);

/// Runs apply entry `entry`: sums the area over the ranks (with a communicator), updates from
/// the mean, writes the mean loss to outputs[0], clears the area and advances the step.
dl_status applyGradient(dlrt_instance &inst, int32_t entry, void *const *outputs);

/// The batches accumulated into the gradient area of `spec`'s step since its last update.
uint32_t pendingBatches(const dlrt_instance &inst, const EntrySpec &spec);

/// Zeroes every gradient area, on the host (the device gets it with the state before the next
/// call), and forgets the batches accumulated.
dl_status clearGradientAreas(dlrt_instance &inst);

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_DATAPARALLEL_H
