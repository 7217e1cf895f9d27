#include "forest_blocks.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define LANES 16

#if defined(__x86_64__)

// Sixteen rows walk one tree together, one lane each. The tree is perfect, so a walk is exactly `depth`
// steps from a node to a child in the next level, with no test for leaves. The top levels of a tree have
// at most 64 nodes, so a lane's node comes from a permutation of the level loaded whole rather than from
// a gather (gathers cost tens of cycles here); only nodes deeper down, and row values below level 5, are
// gathered.
__attribute__((target("avx512f"), always_inline))
static inline __m512i level_nodes(const uint32_t *level, int64_t width, __m512i position) {
    if (width <= 16) return _mm512_permutexvar_epi32(position, _mm512_loadu_si512(level));
    if (width == 32)
        return _mm512_permutex2var_epi32(_mm512_loadu_si512(level), position, _mm512_loadu_si512(level + 16));
    if (width == 64) {
        __m512i low = _mm512_permutex2var_epi32(_mm512_loadu_si512(level), position, _mm512_loadu_si512(level + 16));
        __m512i high = _mm512_permutex2var_epi32(_mm512_loadu_si512(level + 32), position, _mm512_loadu_si512(level + 48));
        return _mm512_mask_blend_epi32(_mm512_test_epi32_mask(position, _mm512_set1_epi32(32)), low, high);
    }
    return _mm512_i32gather_epi32(position, level, 4);
}

__attribute__((target("avx512f"), always_inline))
static inline __m512 level_floats(const float *level, int64_t width, __m512i position) {
    if (width <= 16) return _mm512_permutexvar_ps(position, _mm512_loadu_ps(level));
    if (width == 32) return _mm512_permutex2var_ps(_mm512_loadu_ps(level), position, _mm512_loadu_ps(level + 16));
    if (width == 64) {
        __m512 low = _mm512_permutex2var_ps(_mm512_loadu_ps(level), position, _mm512_loadu_ps(level + 16));
        __m512 high = _mm512_permutex2var_ps(_mm512_loadu_ps(level + 32), position, _mm512_loadu_ps(level + 48));
        return _mm512_mask_blend_ps(_mm512_test_epi32_mask(position, _mm512_set1_epi32(32)), low, high);
    }
    return _mm512_i32gather_ps(position, level, 4);
}

// The lanes' values of the features split on at a level of at most 16 nodes, from the block stored by
// feature (`by_feature[f * 16 + lane]`): the level's features are loaded whole and each lane's own is
// picked by blends on the bits of its position. For the narrow top levels this is far cheaper than a gather.
__attribute__((target("avx512f"), always_inline))
static inline __m512 level_values(const float *by_feature, const uint32_t *level, int width, __m512i position) {
    __m512 candidate[16];
    for (int j = 0; j < width; j++) candidate[j] = _mm512_loadu_ps(by_feature + (level[j] & 0x7fffffff) * LANES);
    for (int bit = 0; (1 << bit) < width; bit++) {
        __mmask16 high = _mm512_test_epi32_mask(position, _mm512_set1_epi32(1 << bit));
        for (int j = 0; j < width >> (bit + 1); j++)
            candidate[j] = _mm512_mask_blend_ps(high, candidate[2 * j], candidate[2 * j + 1]);
    }
    return candidate[0];
}

// One step of every lane down a level: left when the value is below the split, or missing (NaN) where
// the node's top bit says missing values go left. Returns the child's position in the next level.
__attribute__((target("avx512f"), always_inline))
static inline __m512i step(__m512i position, __m512i node, __m512 split, __m512 value) {
    __mmask16 below = _mm512_cmp_ps_mask(value, split, _CMP_LT_OQ);
    __mmask16 missing = _mm512_cmp_ps_mask(value, value, _CMP_UNORD_Q);
    __mmask16 left = below | (missing & _mm512_test_epi32_mask(node, _mm512_set1_epi32((int32_t)0x80000000u)));
    __m512i twice = _mm512_slli_epi32(position, 1);
    return _mm512_mask_mov_epi32(_mm512_add_epi32(twice, _mm512_set1_epi32(1)), left, twice);
}

__attribute__((target("avx512f")))
static void add_block(const sibyl_perfect_forest *forest, const float *rows, const float *by_feature, float *sums) {
    const __m512i row_offsets = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32((int32_t)forest->feature_count));
    const __m512i feature_mask = _mm512_set1_epi32(0x7fffffff);
    for (int64_t t = 0; t < forest->tree_count; t++) {
        const uint32_t *feature = forest->feature + forest->node_start[t];
        const float *threshold = forest->threshold + forest->node_start[t];
        const int64_t depth = forest->depth[t];
        __m512i position = _mm512_setzero_si512();
        int64_t level = 0, level_start = 0;
        for (; level < depth && level < 5; level++) {
            const int64_t width = (int64_t)1 << level;
            const uint32_t *nodes = feature + level_start;
            __m512 value;
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
            __m512i node = level_nodes(feature + level_start, width, position);
            __m512i column = _mm512_add_epi32(row_offsets, _mm512_and_si512(node, feature_mask));
            position = step(
                position, node, level_floats(threshold + level_start, width, position),
                _mm512_i32gather_ps(column, rows, 4));
            level_start += width;
        }
        __m512 leaves = level_floats(forest->leaf + forest->leaf_start[t], (int64_t)1 << depth, position);
        float *sum = sums + forest->group[t] * LANES;
        _mm512_storeu_ps(sum, _mm512_add_ps(_mm512_loadu_ps(sum), leaves));
    }
}

void sibyl_forest_add_leaves_avx512(
    const sibyl_perfect_forest *forest, const float *rows, int64_t row_count, float *margins, float *scratch) {
    sibyl_forest_walk_blocks(forest, rows, row_count, margins, scratch, LANES, add_block);
}

#else

void sibyl_forest_add_leaves_avx512(
    const sibyl_perfect_forest *forest, const float *rows, int64_t row_count, float *margins, float *scratch) {
    (void)forest; (void)rows; (void)row_count; (void)margins; (void)scratch;
}

#endif
