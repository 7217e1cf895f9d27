#include "forest_blocks.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The AVX2 form of `forest_avx512.c`'s kernel, for CPUs without AVX-512 (AMD's before Zen 4, Intel's
// client cores): eight rows a tree at once. Its registers hold eight nodes, so a level of up to 64 nodes
// is picked from registers by permutes and blends on the bits of each lane's position; deeper levels and
// row values below level 5 are gathered.
#define LANES 8

#if defined(__x86_64__)

// All ones in the lanes whose position has `bit` set, as blendv reads a mask (its top bit).
__attribute__((target("avx2"), always_inline))
static inline __m256 bit_mask(__m256i position, int bit) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(position, 31 - bit));
}

__attribute__((target("avx2"), always_inline))
static inline __m256 level_floats(const float *level, int64_t width, __m256i position) {
    if (width <= 8) return _mm256_permutevar8x32_ps(_mm256_loadu_ps(level), position);
    if (width <= 64) {
        __m256 part[8];
        const int parts = (int)(width / 8);
        for (int j = 0; j < parts; j++) part[j] = _mm256_permutevar8x32_ps(_mm256_loadu_ps(level + 8 * j), position);
        for (int bit = 3; (1 << bit) < width; bit++) {
            const __m256 high = bit_mask(position, bit);
            for (int j = 0; j < parts >> (bit - 2); j++) part[j] = _mm256_blendv_ps(part[2 * j], part[2 * j + 1], high);
        }
        return part[0];
    }
    return _mm256_i32gather_ps(level, position, 4);
}

__attribute__((target("avx2"), always_inline))
static inline __m256i level_nodes(const uint32_t *level, int64_t width, __m256i position) {
    if (width <= 64) return _mm256_castps_si256(level_floats((const float *)level, width, position));
    return _mm256_i32gather_epi32((const int *)level, position, 4);
}

// The lanes' values of the features split on at a level of at most 16 nodes, from the block stored by
// feature (`by_feature[f * 8 + lane]`), picked by blends on the bits of each lane's position.
__attribute__((target("avx2"), always_inline))
static inline __m256 level_values(const float *by_feature, const uint32_t *level, int width, __m256i position) {
    __m256 candidate[16];
    for (int j = 0; j < width; j++) candidate[j] = _mm256_loadu_ps(by_feature + (level[j] & 0x7fffffff) * LANES);
    for (int bit = 0; (1 << bit) < width; bit++) {
        const __m256 high = bit_mask(position, bit);
        for (int j = 0; j < width >> (bit + 1); j++)
            candidate[j] = _mm256_blendv_ps(candidate[2 * j], candidate[2 * j + 1], high);
    }
    return candidate[0];
}

// One step of every lane down a level: left when the value is below the split, or missing (NaN) where
// the node's top bit says missing values go left. Returns the child's position in the next level.
__attribute__((target("avx2"), always_inline))
static inline __m256i step(__m256i position, __m256i node, __m256 split, __m256 value) {
    const __m256 below = _mm256_cmp_ps(value, split, _CMP_LT_OQ);
    const __m256 missing = _mm256_cmp_ps(value, value, _CMP_UNORD_Q);
    const __m256 left = _mm256_or_ps(below, _mm256_and_ps(missing, _mm256_castsi256_ps(_mm256_srai_epi32(node, 31))));
    // 2p + 1 for right, 2p for left (the mask is -1 where left).
    const __m256i right = _mm256_add_epi32(_mm256_slli_epi32(position, 1), _mm256_set1_epi32(1));
    return _mm256_add_epi32(right, _mm256_castps_si256(left));
}

__attribute__((target("avx2")))
static void add_block(const sibyl_perfect_forest *forest, const float *rows, const float *by_feature, float *sums) {
    const __m256i row_offsets = _mm256_mullo_epi32(
        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int32_t)forest->feature_count));
    const __m256i feature_mask = _mm256_set1_epi32(0x7fffffff);
    for (int64_t t = 0; t < forest->tree_count; t++) {
        const uint32_t *feature = forest->feature + forest->node_start[t];
        const float *threshold = forest->threshold + forest->node_start[t];
        const int64_t depth = forest->depth[t];
        __m256i position = _mm256_setzero_si256();
        int64_t level = 0, level_start = 0;
        for (; level < depth && level < 5; level++) {
            const int64_t width = (int64_t)1 << level;
            const uint32_t *nodes = feature + level_start;
            __m256 value;
            switch (level) {
            case 0: value = level_values(by_feature, nodes, 1, position); break;
            case 1: value = level_values(by_feature, nodes, 2, position); break;
            case 2: value = level_values(by_feature, nodes, 4, position); break;
            case 3: value = level_values(by_feature, nodes, 8, position); break;
            default: value = level_values(by_feature, nodes, 16, position); break;
            }
            position = step(
                position, level_nodes(nodes, width, position), level_floats(threshold + level_start, width, position), value);
            level_start += width;
        }
        for (; level < depth; level++) {
            const int64_t width = (int64_t)1 << level;
            const __m256i node = level_nodes(feature + level_start, width, position);
            const __m256i column = _mm256_add_epi32(row_offsets, _mm256_and_si256(node, feature_mask));
            position = step(
                position, node, level_floats(threshold + level_start, width, position),
                _mm256_i32gather_ps(rows, column, 4));
            level_start += width;
        }
        const __m256 leaves = level_floats(forest->leaf + forest->leaf_start[t], (int64_t)1 << depth, position);
        float *sum = sums + forest->group[t] * LANES;
        _mm256_storeu_ps(sum, _mm256_add_ps(_mm256_loadu_ps(sum), leaves));
    }
}

void sibyl_forest_add_leaves_avx2(
    const sibyl_perfect_forest *forest, const float *rows, int64_t row_count, float *margins, float *scratch) {
    sibyl_forest_walk_blocks(forest, rows, row_count, margins, scratch, LANES, add_block);
}

#else

void sibyl_forest_add_leaves_avx2(
    const sibyl_perfect_forest *forest, const float *rows, int64_t row_count, float *margins, float *scratch) {
    (void)forest; (void)rows; (void)row_count; (void)margins; (void)scratch;
}

#endif
