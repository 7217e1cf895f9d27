// Vector kernels for the runtime's hot loops, in C because Swift cannot yet compile one function for an
// instruction set beyond its target's and choose it at run time. Each instruction set has its own form of
// a kernel; the Swift side keeps a portable path that gives the same results, and calls a kernel only when
// `sibyl_forest_kernels` says the CPU has it.
#ifndef SIBYL_KERNELS_H
#define SIBYL_KERNELS_H

#include <stdint.h>

/// A forest whose trees are stored as perfect binary trees, level by level: tree t's internal nodes are
/// `feature[node_start[t] ..< node_start[t] + 2^depth[t] - 1]` (node i's children are 2i + 1 and 2i + 2),
/// its leaves `leaf[leaf_start[t] ..< leaf_start[t] + 2^depth[t]]`. A split sends a row left when its
/// value is below the threshold, or when the value is NaN and the feature's top bit (default left) is set.
/// The node arrays have 64 readable entries past their end, so a level can be loaded whole.
typedef struct {
    const uint32_t *feature;
    const float *threshold;
    const float *leaf;
    const uint32_t *node_start;
    const uint32_t *leaf_start;
    const uint32_t *depth;
    const uint32_t *group;
    int64_t tree_count;
    int64_t group_count;
    int64_t feature_count;
} sibyl_perfect_forest;

#define SIBYL_KERNEL_AVX2 1
#define SIBYL_KERNEL_AVX512 2

/// The kernels this CPU runs: `SIBYL_KERNEL_AVX2` (AVX2) and `SIBYL_KERNEL_AVX512` (AVX-512F) bits.
int sibyl_forest_kernels(void);

/// Adds every tree's leaf, in tree order and in float32, to `margins` (`row_count` rows of `group_count`
/// values, already holding the base margins) for the row-major `rows` (`row_count` × `feature_count`):
/// sixteen rows at a time with AVX-512F, eight with AVX2, the same sums either way.
/// `scratch` holds 16 × (2 × feature_count + group_count) floats.
void sibyl_forest_add_leaves_avx512(
    const sibyl_perfect_forest *forest, const float *rows, int64_t row_count, float *margins, float *scratch);
void sibyl_forest_add_leaves_avx2(
    const sibyl_perfect_forest *forest, const float *rows, int64_t row_count, float *margins, float *scratch);

/// A CatBoost model's oblivious trees, for one output: tree t's splits are `split_offset` and
/// `split_bucket` at `tree_split[t] ..< tree_split[t + 1]`, its leaves `leaf[tree_leaf[t] ...]`. A split
/// answers yes for a row whose byte at `block[split_offset + row]` is above its bucket; leaf index bit i
/// is split i's answer.
typedef struct {
    const int32_t *split_offset;
    const int32_t *split_bucket;
    const int64_t *tree_split;
    const int64_t *tree_leaf;
    const double *leaf;
    int64_t tree_count;
} sibyl_oblivious_forest;

/// A float feature's quantization: its column, the borders its questions name (ascending, at
/// `border_start` in the model's border array), and the bucket of a missing value. A value's bucket is how
/// many borders it is above.
typedef struct {
    int64_t column;
    int64_t border_start;
    int64_t border_count;
    int32_t missing_bucket;
} sibyl_quantizer;

/// Writes the bucket of each of `row_count` (1 ... 16) row-major rows of `feature_count` values for each
/// quantizer to `block[16 × quantizer + row]`.
void sibyl_oblivious_quantize_avx512(
    const sibyl_quantizer *quantizer, int64_t quantizer_count, const float *border, const float *rows,
    int64_t row_count, int64_t feature_count, uint8_t *block);
void sibyl_oblivious_quantize_avx2(
    const sibyl_quantizer *quantizer, int64_t quantizer_count, const float *border, const float *rows,
    int64_t row_count, int64_t feature_count, uint8_t *block);

/// Adds every tree's leaf, in tree order and in double, to `out[0 ..< 16]` for the sixteen rows of `block`
/// (sixteen bytes per binary feature, row by row), with AVX-512F or with AVX2: the same sums either way.
void sibyl_oblivious_add_leaves_avx512(const sibyl_oblivious_forest *forest, const uint8_t *block, double *out);
void sibyl_oblivious_add_leaves_avx2(const sibyl_oblivious_forest *forest, const uint8_t *block, double *out);

#endif
