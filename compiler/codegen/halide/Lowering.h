//===- Lowering.h - Shared state of the Kernel-to-Halide translation -*- C++ -*-===//
//
// Private to compiler/codegen/halide. The translation of a codegen::Kernel into Halide Funcs is
// split by op family, one file each in ops/ (Elementwise.cpp, Linalg.cpp, Conv.cpp, Pooling.cpp,
// Upsample.cpp, Embedding.cpp, Reduction.cpp, Shape.cpp, Random.cpp, Loss.cpp, Attention.cpp,
// named like the dialect's dialects/dl/ops/<Family>Ops.td); each family's
// register<Family>Lowerings adds its ops to an OpTable, and Pipeline.cpp walks the kernel's nodes
// in order, looks each op up and records
// the Func it returns. The schedules (cpu/, gpu/) then read what the families recorded (which Funcs
// carry reductions, which value is the matmul or the convolution and how its operands are reached)
// to schedule the pipeline for the CPU or the GPU.
//
// Coordinates. A dl tensor of shape [d0, ..., dn-1] is a Halide Func of n arguments whose argument
// 0 is dn-1 (the fastest-varying dimension, as in the buffer). Op code is written in dl order: an
// `Index` holds one Expr per dl dimension, outermost first, and `call` / `define` reverse it.
//
// Errors inside the translation are thrown as LoweringError (with the node's location) and turned
// into the API's `error` string by the entry points; Halide's own exceptions are caught there too.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_HALIDE_LOWERING_H
#define DLC_CODEGEN_HALIDE_LOWERING_H

#include "compiler/codegen/KernelSpec.h"

#include "Halide.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dl::halide {

using codegen::DType;
using codegen::Kernel;
using codegen::KernelNode;
using codegen::TensorType;
using Shape = std::vector<int64_t>;

/// A kernel the translation cannot handle (unknown op, missing attribute, inconsistent types).
struct LoweringError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One Expr per dl dimension, outermost first.
using Index = std::vector<Halide::Expr>;

/// The Halide type of a dl element type: float, int32 or bool (stored as one byte).
Halide::Type halideType(DType dtype);

/// How a value is computed, as far as the schedule cares.
enum class ValueKind {
  Input,        ///< A kernel input buffer.
  Pointwise,    ///< Element-wise math: inlined into its consumers.
  DataMovement, ///< Re-indexing of one or more operands (transpose, reshape, slice, ...).
  Matmul,       ///< The product's Func has an update over the shared dimension.
  Reduction,    ///< Reads whole rows or the whole tensor through Funcs in `reductions`.
  Random,       ///< Philox draws: element-wise, but costly to recompute.
  Convolution,  ///< conv2d and its gradients: register-blocked like a matmul (`convolution`).
  Attention,    ///< attention and its gradients: per-head tiles (`attention`, ops/Attention.cpp).
};

/// How a convolution value (ValueKind::Convolution) is computed, for cpu/ConvSchedule.cpp.
struct ConvolutionFuncs {
  /// Direct: `product` is the result, over [N, OC, OH, OW], with an update that sums over (input
  /// channel, tap row, tap column) of `source` (conv2d, conv2d_grad_input). WeightGradient: the
  /// result is the sum over kWeightGradientLanes of `lanesTotal`, over [O, C, KH, KW, lanes], the
  /// sum over sample groups of `product`, over [groups, O, C, KH, KW, lanes], whose update sums
  /// over (column chunk, output row, sample of the group) (conv2d_grad_weight).
  enum class Form { Direct, WeightGradient } form = Form::Direct;
  Halide::Func product;
  Halide::Func lanesTotal;
  /// The input read by the taps, zero-padded (and, for conv2d_grad_input, zero-dilated): computed
  /// once into its own buffer so that the innermost loop reads dense rows without bounds checks.
  Halide::Func source;
  /// How the taps read `source`: output (i, j), tap (p, q) reads row i * stride[0] + p *
  /// dilation[0] + offset[0] and column j * stride[1] + q * dilation[1] + offset[1] of it. The
  /// schedule computes `source` over every element its blocks read, padding included: register
  /// blocks overhang the output, and the lanes they discard must not read uninitialized memory
  /// (a denormal there slows every multiply-add that touches it by a hundred times).
  int64_t stride[2] = {1, 1}, dilation[2] = {1, 1}, offset[2] = {0, 0}, kernel[2] = {1, 1};
  int64_t sourceBatch = 0, sourceChannels = 0; ///< The outer extents of `source`.
  /// The output rows and columns (i, j) whose taps are read, before blocks round them up.
  int64_t outputExtent[2] = {1, 1};
  int64_t multiplyAdds = 0; ///< Of the whole op, for the decision to run in parallel.
};

/// conv2d_grad_weight sums each result element over vectors of this many output columns (the
/// lanes of `product`), added together at the end.
constexpr int kWeightGradientLanes = 16;

/// A Func with an update definition that folds the elements of a tensor into a smaller one.
struct ReductionFunc {
  Halide::Func func;
  Shape kept;            ///< The shape of the result (the dimensions not reduced).
  int64_t folded = 1;    ///< Elements folded into each result element.
  int64_t innermost = 1; ///< The extent of the innermost reduced dimension (update's RVar 0).
  bool isSum = false;    ///< A single f32 or uint32 `+=`, which Halide can split (rfactor).
  /// Whether the reduced dimensions include the operand's last (contiguous) one, and when the one
  /// before it is reduced too, that dimension's extent (update's RVar 1), else 0.
  bool reducesLastDim = false;
  int64_t nextInnermost = 0;
  /// A scatter-add over `kept` = [rows, D] (embedding_grad): the update adds into rows that data
  /// picks, so D is its only pure dimension (scheduleScatter in cpu/CpuSchedule.cpp).
  bool scatter = false;
  /// A scan along dimension `scanDim` of `kept` (cumsum), or -1: `func` is the elements, then an
  /// update (absent for a dimension of 1) that walks that dimension in order, each element adding
  /// the one before it. Its other dimensions are independent rows, which the schedules vectorize
  /// and split across threads (scheduleScan in cpu/CpuSchedule.cpp, gpuScan in gpu/).
  int64_t scanDim = -1;
};

/// One head's worth of a Func over [L..., rows, columns] (L: the attention's leading dimensions),
/// which the schedule computes per head, inside the loop over heads of the attention's owner.
struct AttentionTile {
  Halide::Func func;
  Shape shape;
  /// When the tile is a product (scores, dP): `func` reads `product`, whose update sums over
  /// `shared`; the schedule computes `product` per register block of `func`. Its rows are clamped,
  /// so blocks may overhang them; its columns are not.
  Halide::Func product;
  Halide::RVar shared;
  bool hasProduct = false;
  /// A product tile of causal attention: `func` is a fill, then an update over `cells` (column,
  /// row, one, column block, row block) that computes only the blocks of kAttentionRows rows by
  /// kAttentionColumns columns on or below the diagonal, each block's product inside loop `one`.
  Halide::RDom cells;
  bool triangular = false;
  /// A transposed copy of an operand (kT, vT).
  bool transposes = false;
  /// A reduction along each row (in `kRowLanes` vector lanes, then across them): the lanes, over
  /// [L..., rows, kRowLanes], have an update over the row's chunks; `func` (over [L..., rows]) an
  /// update over the lanes.
  Halide::Func lanes;
  bool isRowReduction = false;
};

/// Row reductions of attention tiles fold kRowLanes columns at a time, one per vector lane.
constexpr int kRowLanes = 16;

/// Causal attention skips work in blocks of this many rows (and, in its score tiles, columns):
/// whatever a block's last row does not attend to is neither computed nor summed.
constexpr int kAttentionRows = 8;
constexpr int kAttentionColumns = 32;
static_assert((kAttentionRows & (kAttentionRows - 1)) == 0, "a power of two");

/// What one attention computes once for all its values: the forward op's, or the three gradients
/// of one attention in one kernel, which share the weights P and the scores' gradient dS.
struct AttentionHead {
  std::vector<AttentionTile> tiles; ///< In the order they are defined (producers first).
  /// The same tiles' Funcs by role, for the values' products (ops/Attention.cpp). A forward op's
  /// head leaves the gradients' (vT to dS) undefined.
  Halide::Func kT, scores, rowMax, p, rowSum, vT, w, dP, rowDot, dS;
  /// Streamed (ops/AttentionStreamed.cpp, past kWholeTileScores): `tiles` are the tiles behind
  /// `stats` (gradients only), computed a block of kAttentionRows rows at a time inside the loop
  /// over row blocks of `stats`; `rootTiles` (transposed operands) are computed once, whole.
  bool streamed = false;
  std::vector<AttentionTile> rootTiles;
  /// Gradients only: {row maximum, row sum, rowsum(W * dP)} of the scores of each query,
  /// [L..., Tq], computed once for the three gradients.
  Halide::Func stats;
  Shape statsShape;
  /// Streamed: the transposed operands in rootTiles, by operand index (shared by the gradients).
  std::map<size_t, Halide::Func> transposed;
};

/// The most scores of one head (Tq * Tk) that attention computes as one tile per head (the
/// whole-tile path); past it, it streams blocks of kAttentionRows rows (or keys) against all
/// columns, so that its memory grows with T, not T^2 (ops/AttentionStreamed.cpp). Measured on the
/// train step of bench/seq/attention.dl (4 heads, d = 64, causal, 2 threads; bench/RESULTS.md):
/// whole tiles take 20, 40-66 and 93 ms at T = 256 (B = 4), 512 (B = 2) and 1024 (B = 1), streamed
/// 42, 83 and 142 ms; at T = 2048 whole tiles take 454 ms and 128 MB, streamed 526 ms and 40 MB,
/// and the tiles grow as T^2 beyond. So: whole tiles up to 1024 x 1024.
constexpr int64_t kWholeTileScores = 1024 * 1024;
inline bool streamsAttention(int64_t tq, int64_t tk) { return tq * tk > kWholeTileScores; }

/// An attention value's own product: `product` (over [L..., rows, columns], the value's shape)
/// sums over `shared`; the value's Func reads it element-wise.
struct AttentionValue {
  std::shared_ptr<AttentionHead> head;
  Halide::Func product;
  Halide::RVar shared;
  /// Streamed only: the tiles of this value alone, computed a block of kAttentionRows rows at a
  /// time inside the loop over row blocks of the value's owner.
  std::vector<AttentionTile> rowTiles;
};

/// What the translation knows about one value of the kernel.
struct LoweredValue {
  Halide::Func func;
  TensorType type;
  ValueKind kind = ValueKind::Pointwise;
  /// Funcs with update definitions behind this value (row maxima, sums, ...). The schedule computes
  /// each once (compute_root), never per consumer point.
  std::vector<ReductionFunc> reductions;
  /// Matmul only: the reduction variable over the shared dimension of `func`'s update.
  Halide::RVar sharedDim;
  /// Matmul only: whether `func`'s update reduces over a shared dimension (false for K = 0).
  bool hasSharedDim = false;
  /// Matmul only: the right operand with its columns padded with zeros to a multiple of
  /// kMatmulColumnQuantum, which the product reads instead of the operand when N is not such a
  /// multiple (so every register block is whole). The schedule materializes it.
  Halide::Func paddedRhs;
  bool hasPaddedRhs = false;
  /// Convolution only.
  ConvolutionFuncs convolution;
  /// Helper Funcs (with the shape they cover) that the schedule computes once, element-wise,
  /// before the value's consumers: the argmax of each max-pooling window, the output gradient
  /// padded to whole vectors of conv2d_grad_weight.
  std::vector<std::pair<Halide::Func, Shape>> helpers;
  /// Helpers that check their data with Halide's `require` (an embedding's ids, a loss's class
  /// labels: Lowering::checkedIndices). The CPU schedule
  /// treats them as helpers; the CUDA schedule computes them on the host, since a GPU kernel cannot
  /// format the message of a failed requirement.
  std::vector<std::pair<Halide::Func, Shape>> checks;
  /// Pooling ops only (ValueKind::Reduction): a window op, whose consumers are scheduled along rows
  /// (cpu/ConvSchedule.cpp) rather than fused across them. For the gradients, the windows' stride
  /// along the innermost dimension (each input column is read by the windows j = (v + pw - q) / sw,
  /// a whole number only for some phases of v), else 1.
  bool window = false;
  int64_t gatherStride = 1;
  /// Attention ops only.
  AttentionValue attention;
};

class Lowering;

/// Matmul results are computed in column blocks of a multiple of this many columns (a whole AVX-512
/// vector, two AVX2 vectors); a right operand whose N is not a multiple is padded (paddedRhs).
constexpr int64_t kMatmulColumnQuantum = 16;

/// Translates one node; returns its value (at least `func`, `type` and `kind`).
using OpLowering = std::function<LoweredValue(Lowering &, const KernelNode &)>;
using OpTable = std::map<std::string, OpLowering>;

void registerElementwiseLowerings(OpTable &table);
void registerLinalgLowerings(OpTable &table);
void registerConvLowerings(OpTable &table);
void registerPoolingLowerings(OpTable &table);
void registerUpsampleLowerings(OpTable &table);
void registerEmbeddingLowerings(OpTable &table);
void registerReductionLowerings(OpTable &table);
void registerShapeLowerings(OpTable &table);
void registerRandomLowerings(OpTable &table);
void registerLossLowerings(OpTable &table);
void registerAttentionLowerings(OpTable &table);
/// Attention and one of its gradients past kWholeTileScores (ops/AttentionStreamed.cpp), called by
/// ops/Attention.cpp; `sibling`: the head of an earlier gradient of the same attention, or null.
LoweredValue lowerStreamedAttention(Lowering &l, const KernelNode &node);
LoweredValue lowerStreamedAttentionGrad(Lowering &l, const KernelNode &node, int64_t wrt,
                                        std::shared_ptr<AttentionHead> sibling);

/// The state of one kernel's translation: inputs, the Philox parameters and every value so far.
class Lowering {
public:
  /// `forGpu`: the kernel gets the GPU schedule, whose register tiles read whole tiles of a
  /// product's operands (see lowerMatmul).
  Lowering(const Kernel &kernel, bool forGpu);

  const Kernel &kernel() const { return kernel_; }
  bool forGpu() const { return forGpu_; }
  const std::vector<Halide::ImageParam> &inputs() const { return inputs_; }
  const Halide::Param<uint64_t> &seed() const { return seed_; }
  const Halide::Param<uint32_t> &step() const { return step_; }
  const std::vector<LoweredValue> &values() const { return values_; }
  const LoweredValue &value(int v) const { return values_.at(v); }

  /// Translates every node in order (throws LoweringError).
  void lowerNodes(const OpTable &table);

  // Helpers for the op families -------------------------------------------------------------

  /// The value of operand `i` of `node` (checked to exist).
  const LoweredValue &operand(const KernelNode &node, size_t i) const;
  /// The number of operands `node` has, checked against `expected`.
  void expectOperands(const KernelNode &node, size_t expected) const;

  /// `func` at dl-order coordinates `index`.
  static Halide::Expr call(const Halide::Func &func, const Index &index);
  /// Defines `func` over the Vars of a rank-`rank` tensor as `body(coordinates)`.
  static void define(Halide::Func &func, size_t rank,
                     const std::function<Halide::Expr(const Index &)> &body);
  /// The Vars of a tensor of rank `rank`, in dl order (the last one is Halide's dimension 0).
  static Index coordinates(size_t rank);
  /// The Halide Var of dl dimension `d` of a rank-`rank` tensor.
  static Halide::Var var(size_t d, size_t rank);

  /// The coordinates of a tensor of shape `in` that NumPy broadcasting maps onto `out` at `index`.
  static Index broadcastIndex(const Shape &in, const Shape &out, const Index &index);
  /// Value `v` read at output coordinates `index` of a result of shape `out`, broadcasting.
  Halide::Expr broadcastAt(const LoweredValue &v, const Shape &out, const Index &index) const;

  /// A Func name for `node` (and `suffix`), unique in the pipeline.
  std::string funcName(const KernelNode &node, const std::string &suffix = "") const;
  /// A fresh Func named funcName(node, suffix).
  Halide::Func newFunc(const KernelNode &node, const std::string &suffix = "") const;
  /// A Func over the shape of `indices` (i32) that checks each to lie in [0, count) when computed
  /// (Halide's `require`; list it in the value's `checks`): one outside fails the kernel with
  /// "<index> at row <r> [column <c>] of the <noun> i32[shape] <what> [0, count) of dl.<op> at
  /// <location><tail>". `alsoValid`, when given, passes too (a loss's ignore_index; `tail` says
  /// so). Embedding ids and class labels.
  Halide::Func checkedIndices(const KernelNode &node, const LoweredValue &indices, int64_t count,
                              const std::string &suffix, const std::string &noun,
                              const std::string &what,
                              std::optional<int64_t> alsoValid = std::nullopt,
                              const std::string &tail = "") const;
  /// A pointwise value of `node`'s type: body(coordinates), cast to the node's element type.
  LoweredValue pointwise(const KernelNode &node,
                         const std::function<Halide::Expr(const Index &)> &body) const;

  /// Attribute lookups that throw a LoweringError naming the node when the attribute is missing.
  double floatAttr(const KernelNode &node, const std::string &name) const;
  double floatAttr(const KernelNode &node, const std::string &name, double fallback) const;
  int64_t intAttr(const KernelNode &node, const std::string &name) const;
  int64_t intAttr(const KernelNode &node, const std::string &name, int64_t fallback) const;
  std::vector<int64_t> intsAttr(const KernelNode &node, const std::string &name) const;
  std::vector<int64_t> intsAttr(const KernelNode &node, const std::string &name,
                                const std::vector<int64_t> &fallback) const;
  const std::string &stringAttr(const KernelNode &node, const std::string &name) const;

  /// An axis attribute normalized into [0, rank) (throws when out of range).
  int64_t normalizeAxis(const KernelNode &node, int64_t axis, int64_t rank) const;

  /// A LoweringError "<location>: dl.<op>: <message>".
  LoweringError error(const KernelNode &node, const std::string &message) const;

  /// The index of `node` in the kernel's node list.
  size_t nodeIndex(const KernelNode &node) const {
    return static_cast<size_t>(&node - kernel_.nodes.data());
  }

private:
  const Kernel &kernel_;
  bool forGpu_;
  std::vector<Halide::ImageParam> inputs_;
  Halide::Param<uint64_t> seed_;
  Halide::Param<uint32_t> step_;
  std::vector<LoweredValue> values_;
};

//===----------------------------------------------------------------------===//
// Numerics shared by the families (MathFunctions.cpp).
//===----------------------------------------------------------------------===//

/// IEEE tests on a float's bits, which fast-math flags cannot fold: NaN, either infinity, and the
/// sign bit (set for -0, -inf and negative NaNs too).
Halide::Expr isNaN(const Halide::Expr &x);
Halide::Expr isInfinite(const Halide::Expr &x);
Halide::Expr signBit(const Halide::Expr &x);
/// +inf (or -inf) of float type `t`, built from bits.
Halide::Expr infinityOf(Halide::Type t, bool negative = false);
/// `value`, or x itself where x is NaN: how every float function propagates NaN.
Halide::Expr withNaN(const Halide::Expr &x, const Halide::Expr &value);
/// exp and log for Float(32) with IEEE results at NaN, the infinities, overflow (exp(89) = inf),
/// subnormal results (exp(-100)) and subnormal arguments (log(1e-45)).
Halide::Expr ieeeExp(const Halide::Expr &x);
Halide::Expr ieeeLog(const Halide::Expr &x);
/// erf for Float(32), accurate to a few ulp over the whole line; vectorizes.
Halide::Expr accurateErf(const Halide::Expr &x);
/// Phi(x), the standard normal CDF, for Float(32); accurate in both tails.
Halide::Expr gaussianCdf(const Halide::Expr &x);
/// log(1 + x), accurate for small |x|.
Halide::Expr log1p(const Halide::Expr &x);
/// exp(x) - 1, accurate for small |x|.
Halide::Expr expm1(const Halide::Expr &x);
/// 1 / (1 + exp(-x)) without overflow.
Halide::Expr sigmoid(const Halide::Expr &x);
/// x e^x for Float(32) x <= 0, computed in double: to about one ulp also where the result is
/// subnormal (x < -87), which x * exp(x) in f32 rounds away. NaN and -inf are the caller's.
Halide::Expr timesExp(const Halide::Expr &x);
/// x rounded to the nearest integer, halves to even (torch.round), for Float(32): built from floor,
/// which every backend computes exactly (OpenCL's round takes halves away from zero). Keeps x's
/// sign (round(-0.4) is -0); NaN, the infinities and |x| >= 2^23 (integers already) come back as x.
Halide::Expr roundHalfToEven(const Halide::Expr &x);
/// fmod(a, b) for Float(32), exact (the sign of a; NaN for b = 0 or an infinite a; a for an
/// infinite b), at any ratio of a to b.
Halide::Expr exactFmod(const Halide::Expr &a, const Halide::Expr &b);
/// max / min that return NaN when either side is NaN (PyTorch's maximum / minimum).
Halide::Expr maxPropagatingNaN(const Halide::Expr &a, const Halide::Expr &b);
Halide::Expr minPropagatingNaN(const Halide::Expr &a, const Halide::Expr &b);
/// x, with -0 made +0: the sign an IEEE sum of zeros has, where Halide folded 0 + x into x.
Halide::Expr unsignedZero(const Halide::Expr &x);
/// A quiet NaN of type `t` (float).
Halide::Expr nanOf(Halide::Type t);
/// The 32-bit wrapping form of an int32 operation given as uint32 arithmetic.
Halide::Expr wrapToInt32(const Halide::Expr &unsignedResult);
/// Row-major flat index of dl coordinates `index` in a tensor of shape `shape` (int32).
Halide::Expr flatIndex(const Index &index, const Shape &shape);

//===----------------------------------------------------------------------===//
// Reductions shared by ops/Reduction.cpp and ops/Loss.cpp (defined in ops/Reduction.cpp).
//===----------------------------------------------------------------------===//

/// A Func over the dimensions of `shape` that `reduced` leaves (in order; rank 0 when all are
/// reduced): `init`, then `acc = combine(acc, element index)` over the reduced dimensions, the last
/// one innermost. `init` fixes the accumulator's type; Tuples are allowed. `isSum` says that
/// combine is `acc + term`.
ReductionFunc reduceOver(
    const std::string &name, const Shape &shape, const std::vector<bool> &reduced,
    const Halide::Tuple &init,
    const std::function<Halide::Tuple(const Halide::Tuple &acc, const Index &element)> &combine,
    bool isSum = false);
/// The coordinates of a reduceOver result for the element at `index` of the reduced tensor.
Index keptIndex(const Index &index, const std::vector<bool> &reduced);

} // namespace dl::halide

#endif // DLC_CODEGEN_HALIDE_LOWERING_H
