//===- ShapeRules.cpp - Static shape rules of the dl ops ------------------===//
//
// See ShapeRules.h. Every rule is written for static shapes only: dlc has no dynamic dimensions.
//
//===----------------------------------------------------------------------===//
#include "dl/ShapeRules.h"

#include <algorithm>

namespace dl::shape {

int64_t numElements(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

bool normalizeAxis(int64_t axis, int64_t rank, int64_t &out, std::string &why) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    why = "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank);
    return false;
  }
  out = a;
  return true;
}

bool broadcast(const Shape &a, const Shape &b, Shape &out, std::string &why) {
  size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align trailing dimensions; a missing leading dimension counts as 1.
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      why = "dimension " + std::to_string(i) + " is " + std::to_string(da) + " on one side and " +
            std::to_string(db) + " on the other";
      return false;
    }
    result[i] = da == 1 ? db : da;
  }
  out = std::move(result);
  return true;
}

bool broadcastsTo(const Shape &from, const Shape &to, std::string &why) {
  Shape joined;
  if (!broadcast(from, to, joined, why))
    return false;
  if (joined != to) {
    why = "it would have to grow to " + format(joined);
    return false;
  }
  return true;
}

bool matmul(const Shape &a, const Shape &b, Shape &out, std::string &why) {
  if (a.empty() || b.empty()) {
    why = "matmul needs operands of rank 1 or more";
    return false;
  }
  Shape la = a, lb = b;
  bool vecA = la.size() == 1, vecB = lb.size() == 1;
  if (vecA)
    la.insert(la.begin(), 1);
  if (vecB)
    lb.push_back(1);
  int64_t k1 = la.back(), k2 = lb[lb.size() - 2];
  if (k1 != k2) {
    why = "contracting dimensions differ (" + std::to_string(k1) + " vs " + std::to_string(k2) + ")";
    return false;
  }
  Shape batchA(la.begin(), la.end() - 2), batchB(lb.begin(), lb.end() - 2), batch;
  if (!broadcast(batchA, batchB, batch, why)) {
    why = "batch dimensions do not broadcast: " + why;
    return false;
  }
  Shape result = batch;
  if (!vecA)
    result.push_back(la[la.size() - 2]);
  if (!vecB)
    result.push_back(lb.back());
  out = std::move(result);
  return true;
}

bool reduce(const Shape &in, const std::vector<int64_t> &axes, bool keepdims, Shape &out,
            std::string &why) {
  int64_t rank = in.size();
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    int64_t a;
    if (!normalizeAxis(axis, rank, a, why))
      return false;
    if (reduced[a]) {
      why = "axis " + std::to_string(axis) + " is named twice";
      return false;
    }
    reduced[a] = true;
  }
  Shape result;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      result.push_back(in[i]);
    else if (keepdims)
      result.push_back(1);
  }
  out = std::move(result);
  return true;
}

bool transpose(const Shape &in, const std::vector<int64_t> &perm, Shape &out, std::string &why) {
  if (perm.size() != in.size()) {
    why = "the permutation has " + std::to_string(perm.size()) + " entries for rank " +
          std::to_string(in.size());
    return false;
  }
  std::vector<bool> seen(in.size(), false);
  Shape result;
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)in.size() || seen[p]) {
      why = "the permutation is not a permutation of 0.." + std::to_string((int64_t)in.size() - 1);
      return false;
    }
    seen[p] = true;
    result.push_back(in[p]);
  }
  out = std::move(result);
  return true;
}

bool reshape(const Shape &in, const Shape &target, Shape &out, std::string &why) {
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (inferred >= 0) {
        why = "only one dimension may be -1";
        return false;
      }
      inferred = i;
    } else if (target[i] <= 0) {
      why = "dimension " + std::to_string(i) + " is " + std::to_string(target[i]);
      return false;
    } else {
      known *= target[i];
    }
  }
  Shape result = target;
  int64_t total = numElements(in);
  if (inferred >= 0) {
    if (total % known != 0) {
      why = std::to_string(total) + " elements do not divide into dimensions of " +
            std::to_string(known);
      return false;
    }
    result[inferred] = total / known;
  } else if (known != total) {
    why = "element counts differ (" + std::to_string(total) + " vs " + std::to_string(known) + ")";
    return false;
  }
  out = std::move(result);
  return true;
}

bool concat(const std::vector<Shape> &ins, int64_t axis, Shape &out, std::string &why) {
  if (ins.empty()) {
    why = "concat needs at least one operand";
    return false;
  }
  int64_t a;
  if (!normalizeAxis(axis, ins[0].size(), a, why))
    return false;
  Shape result = ins[0];
  for (size_t i = 1; i < ins.size(); ++i) {
    if (ins[i].size() != result.size()) {
      why = "operand " + std::to_string(i) + " has rank " + std::to_string(ins[i].size()) +
            " instead of " + std::to_string(result.size());
      return false;
    }
    for (size_t d = 0; d < result.size(); ++d) {
      if ((int64_t)d == a)
        continue;
      if (ins[i][d] != result[d]) {
        why = "operand " + std::to_string(i) + " differs in dimension " + std::to_string(d);
        return false;
      }
    }
    result[a] += ins[i][a];
  }
  out = std::move(result);
  return true;
}

bool split(const Shape &in, int64_t parts, int64_t axis, Shape &piece, std::string &why) {
  int64_t a;
  if (!normalizeAxis(axis, in.size(), a, why))
    return false;
  if (parts <= 0 || in[a] % parts != 0) {
    why = "dimension " + std::to_string(a) + " of size " + std::to_string(in[a]) +
          " does not split into " + std::to_string(parts) + " equal parts";
    return false;
  }
  piece = in;
  piece[a] /= parts;
  return true;
}

bool slice(const Shape &in, const std::vector<int64_t> &start, const std::vector<int64_t> &limit,
           const std::vector<int64_t> &stride, Shape &out, std::string &why) {
  if (start.size() != in.size() || limit.size() != in.size() || stride.size() != in.size()) {
    why = "start, limit and stride need one entry per dimension (" + std::to_string(in.size()) + ")";
    return false;
  }
  Shape result;
  for (size_t d = 0; d < in.size(); ++d) {
    if (stride[d] <= 0 || start[d] < 0 || limit[d] > in[d] || start[d] >= limit[d]) {
      why = "dimension " + std::to_string(d) + " of size " + std::to_string(in[d]) +
            " cannot be sliced " + std::to_string(start[d]) + ":" + std::to_string(limit[d]) +
            ":" + std::to_string(stride[d]);
      return false;
    }
    result.push_back((limit[d] - start[d] + stride[d] - 1) / stride[d]);
  }
  out = std::move(result);
  return true;
}

bool pad(const Shape &in, const std::vector<int64_t> &low, const std::vector<int64_t> &high,
         Shape &out, std::string &why) {
  if (low.size() != in.size() || high.size() != in.size()) {
    why = "padding needs one low and one high entry per dimension (" + std::to_string(in.size()) +
          ")";
    return false;
  }
  Shape result;
  for (size_t d = 0; d < in.size(); ++d) {
    if (low[d] < 0 || high[d] < 0) {
      why = "padding of dimension " + std::to_string(d) + " is negative";
      return false;
    }
    result.push_back(in[d] + low[d] + high[d]);
  }
  out = std::move(result);
  return true;
}

bool embedding(const Shape &ids, const Shape &table, Shape &out, std::string &why) {
  if (table.size() != 2) {
    why = "the table must have rank 2 [V, D], not rank " + std::to_string(table.size());
    return false;
  }
  out = ids;
  out.push_back(table[1]);
  return true;
}

bool gather(const Shape &input, const Shape &index, int64_t &axis, Shape &out, std::string &why) {
  int64_t rank = static_cast<int64_t>(input.size());
  if (rank == 0) {
    why = "the input must have rank 1 or more";
    return false;
  }
  if (axis < -rank || axis >= rank) {
    why = "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank);
    return false;
  }
  if (axis < 0)
    axis += rank;
  if (index.size() != input.size()) {
    why = "the index must have the input's rank " + std::to_string(rank) + ", not rank " +
          std::to_string(index.size());
    return false;
  }
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && index[d] > input[d]) {
      why = "the index may not be larger than the input on dimension " + std::to_string(d) +
            " (only the axis " + std::to_string(axis) + " may differ)";
      return false;
    }
  out = index;
  return true;
}

bool embeddingGrad(const Shape &ids, const Shape &grad, int64_t rows, Shape &out,
                   std::string &why) {
  if (rows < 1) {
    why = "rows must be at least 1, not " + std::to_string(rows);
    return false;
  }
  if (grad.size() != ids.size() + 1 || !std::equal(ids.begin(), ids.end(), grad.begin())) {
    why = "the gradient must have the ids' shape " + formatList(ids) +
          " followed by the embedding size, not " + formatList(grad);
    return false;
  }
  out = {rows, grad.back()};
  return true;
}

std::string format(const Shape &s, const std::string &elementType) {
  std::string r = elementType + "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

} // namespace dl::shape
