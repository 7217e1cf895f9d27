// CatBoost's oblivious trees over a block of sixteen quantized rows (see sibyl_kernels.h): each split is one
// comparison of sixteen bytes, widened to 32-bit lanes, whose answers are or-ed into the rows' leaf
// indices; the leaves are then gathered and added in double, tree by tree, so each row's sum is the
// scalar walk's, in the same order.
#include "sibyl_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f")))
void sibyl_oblivious_add_leaves_avx512(const sibyl_oblivious_forest *forest, const uint8_t *block, double *out) {
    __m512d low = _mm512_loadu_pd(out), high = _mm512_loadu_pd(out + 8);
    for (int64_t tree = 0; tree < forest->tree_count; tree++) {
        __m512i index = _mm512_setzero_si512();
        int32_t bit = 1;
        for (int64_t split = forest->tree_split[tree]; split < forest->tree_split[tree + 1]; split++, bit <<= 1) {
            __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(block + forest->split_offset[split])));
            __mmask16 yes = _mm512_cmpgt_epu32_mask(bytes, _mm512_set1_epi32(forest->split_bucket[split]));
            index = _mm512_mask_or_epi32(index, yes, index, _mm512_set1_epi32(bit));
        }
        const double *leaves = forest->leaf + forest->tree_leaf[tree];
        low = _mm512_add_pd(low, _mm512_i32gather_pd(_mm512_castsi512_si256(index), leaves, 8));
        high = _mm512_add_pd(high, _mm512_i32gather_pd(_mm512_extracti64x4_epi64(index, 1), leaves, 8));
    }
    _mm512_storeu_pd(out, low);
    _mm512_storeu_pd(out + 8, high);
}

__attribute__((target("avx2")))
void sibyl_oblivious_add_leaves_avx2(const sibyl_oblivious_forest *forest, const uint8_t *block, double *out) {
    __m256d sum[4];
    for (int k = 0; k < 4; k++) sum[k] = _mm256_loadu_pd(out + 4 * k);
    for (int64_t tree = 0; tree < forest->tree_count; tree++) {
        __m256i first = _mm256_setzero_si256(), second = _mm256_setzero_si256();
        int32_t bit = 1;
        for (int64_t split = forest->tree_split[tree]; split < forest->tree_split[tree + 1]; split++, bit <<= 1) {
            __m128i bytes = _mm_loadu_si128((const __m128i *)(block + forest->split_offset[split]));
            // Buckets are 0...255, so the signed 32-bit comparison is the unsigned one.
            __m256i bucket = _mm256_set1_epi32(forest->split_bucket[split]), value = _mm256_set1_epi32(bit);
            first = _mm256_or_si256(first, _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_cvtepu8_epi32(bytes), bucket), value));
            second = _mm256_or_si256(
                second, _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_cvtepu8_epi32(_mm_srli_si128(bytes, 8)), bucket), value));
        }
        const double *leaves = forest->leaf + forest->tree_leaf[tree];
        sum[0] = _mm256_add_pd(sum[0], _mm256_i32gather_pd(leaves, _mm256_castsi256_si128(first), 8));
        sum[1] = _mm256_add_pd(sum[1], _mm256_i32gather_pd(leaves, _mm256_extracti128_si256(first, 1), 8));
        sum[2] = _mm256_add_pd(sum[2], _mm256_i32gather_pd(leaves, _mm256_castsi256_si128(second), 8));
        sum[3] = _mm256_add_pd(sum[3], _mm256_i32gather_pd(leaves, _mm256_extracti128_si256(second, 1), 8));
    }
    for (int k = 0; k < 4; k++) _mm256_storeu_pd(out + 4 * k, sum[k]);
}

#else

void sibyl_oblivious_add_leaves_avx512(const sibyl_oblivious_forest *forest, const uint8_t *block, double *out) {
    (void)forest, (void)block, (void)out;
}

void sibyl_oblivious_add_leaves_avx2(const sibyl_oblivious_forest *forest, const uint8_t *block, double *out) {
    (void)forest, (void)block, (void)out;
}

#endif
