//===- Attention.cpp - Scaled dot-product attention and its gradients -----===//
//
// dl.attention and dl.attention_grad head by head, in double precision, by their definitions
// (AttentionOps.td): the weights P = softmax(q k^T * scale + mask) of one head are formed whole,
// each row shifted by its maximum, and the gradients follow from P and dP = grad v^T.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <cmath>
#include <limits>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

/// The sizes of one attention: `heads` leading elements of [tq, d] queries, [tk, d] keys and
/// [tk, dv] values.
struct Dims {
  int64_t heads = 1, tq = 0, tk = 0, d = 0, dv = 0;
};

Dims dimsOf(const Tensor &q, const Tensor &v) {
  Dims s;
  size_t r = q.shape.size();
  for (size_t i = 0; i + 2 < r; ++i)
    s.heads *= q.shape[i];
  s.tq = q.shape[r - 2];
  s.d = q.shape[r - 1];
  s.tk = v.shape[r - 2];
  s.dv = v.shape[r - 1];
  return s;
}

/// The attention weights of head `h` ([tq, tk], row-major).
std::vector<double> weights(const Tensor &q, const Tensor &k, const Dims &s, int64_t h,
                            bool causal, double scale) {
  const double *Q = q.data.data() + h * s.tq * s.d, *K = k.data.data() + h * s.tk * s.d;
  std::vector<double> p(size_t(s.tq * s.tk));
  for (int64_t i = 0; i < s.tq; ++i) {
    double *row = p.data() + i * s.tk;
    double maximum = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < s.tk; ++j) {
      double dot = 0;
      for (int64_t r = 0; r < s.d; ++r)
        dot += Q[i * s.d + r] * K[j * s.d + r];
      row[j] = causal && j > i ? -std::numeric_limits<double>::infinity() : dot * scale;
      maximum = std::max(maximum, row[j]);
    }
    double total = 0;
    for (int64_t j = 0; j < s.tk; ++j)
      total += row[j] = std::exp(row[j] - maximum);
    for (int64_t j = 0; j < s.tk; ++j)
      row[j] /= total;
  }
  return p;
}

LogicalResult evalAttention(dlo::AttentionOp op, OpContext &c) {
  const Tensor &q = c.operand(0), &k = c.operand(1), &v = c.operand(2);
  Dims s = dimsOf(q, v);
  Tensor &out = c.result();
  for (int64_t h = 0; h < s.heads; ++h) {
    std::vector<double> p = weights(q, k, s, h, op.getCausal(), op.getScale().convertToDouble());
    const double *V = v.data.data() + h * s.tk * s.dv;
    double *O = out.data.data() + h * s.tq * s.dv;
    for (int64_t i = 0; i < s.tq; ++i)
      for (int64_t j = 0; j < s.tk; ++j)
        for (int64_t e = 0; e < s.dv; ++e)
          O[i * s.dv + e] += p[size_t(i * s.tk + j)] * V[j * s.dv + e];
  }
  return success();
}

LogicalResult evalAttentionGrad(dlo::AttentionGradOp op, OpContext &c) {
  const Tensor &q = c.operand(0), &k = c.operand(1), &v = c.operand(2), &g = c.operand(3);
  Dims s = dimsOf(q, v);
  double scale = op.getScale().convertToDouble();
  int64_t wrt = op.getWrt();
  Tensor &out = c.result();
  for (int64_t h = 0; h < s.heads; ++h) {
    std::vector<double> p = weights(q, k, s, h, op.getCausal(), scale);
    const double *Q = q.data.data() + h * s.tq * s.d, *K = k.data.data() + h * s.tk * s.d;
    const double *V = v.data.data() + h * s.tk * s.dv, *G = g.data.data() + h * s.tq * s.dv;
    if (wrt == 2) { // dv = P^T grad
      double *DV = out.data.data() + h * s.tk * s.dv;
      for (int64_t i = 0; i < s.tq; ++i)
        for (int64_t j = 0; j < s.tk; ++j)
          for (int64_t e = 0; e < s.dv; ++e)
            DV[j * s.dv + e] += p[size_t(i * s.tk + j)] * G[i * s.dv + e];
      continue;
    }
    // dS = P * (dP - rowsum(P * dP)) * scale, with dP = grad v^T.
    std::vector<double> ds(size_t(s.tq * s.tk));
    for (int64_t i = 0; i < s.tq; ++i) {
      double rowTotal = 0;
      for (int64_t j = 0; j < s.tk; ++j) {
        double dp = 0;
        for (int64_t e = 0; e < s.dv; ++e)
          dp += G[i * s.dv + e] * V[j * s.dv + e];
        ds[size_t(i * s.tk + j)] = dp;
        rowTotal += dp * p[size_t(i * s.tk + j)];
      }
      for (int64_t j = 0; j < s.tk; ++j) {
        size_t at = size_t(i * s.tk + j);
        ds[at] = p[at] * (ds[at] - rowTotal) * scale;
      }
    }
    double *D = out.data.data() + h * (wrt == 0 ? s.tq : s.tk) * s.d;
    for (int64_t i = 0; i < s.tq; ++i)
      for (int64_t j = 0; j < s.tk; ++j) {
        double w = ds[size_t(i * s.tk + j)];
        for (int64_t r = 0; r < s.d; ++r) {
          if (wrt == 0)
            D[i * s.d + r] += w * K[j * s.d + r];
          else
            D[j * s.d + r] += w * Q[i * s.d + r];
        }
      }
  }
  return success();
}

} // namespace

void registerAttentionKernels(KernelTable &t) {
  addKernel<dlo::AttentionOp>(t, evalAttention);
  addKernel<dlo::AttentionGradOp>(t, evalAttentionGrad);
}

} // namespace dl::interp
