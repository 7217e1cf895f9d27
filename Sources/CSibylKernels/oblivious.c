// CatBoost's oblivious trees over a block of sixteen quantized rows (see sibyl_kernels.h): each split is one
// comparison of sixteen bytes, widened to 32-bit lanes, whose answers are or-ed into the rows' leaf
// indices; the leaves are then gathered and added in double, tree by tree, so each row's sum is the
// scalar walk's, in the same order.
#include "sibyl_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

// A value's bucket counts the borders below it, sixteen rows against one border per comparison: with the
// few dozen borders a model's trees name per feature, cheaper than sixteen branchy binary searches.
__attribute__((target("avx512f")))
void sibyl_oblivious_quantize_avx512(
    const sibyl_quantizer *quantizer, int64_t quantizer_count, const float *border, const float *rows,
    int64_t row_count, int64_t feature_count, uint8_t *block) {
    __mmask16 valid = (__mmask16)((1u << row_count) - 1);
    __m512i row_offset = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32((int32_t)feature_count));
    for (int64_t q = 0; q < quantizer_count; q++) {
        const sibyl_quantizer *feature = quantizer + q;
        __m512 value = _mm512_mask_i32gather_ps(
            _mm512_setzero_ps(), valid, row_offset, rows + feature->column, 4);
        __m512i bucket = _mm512_setzero_si512();
        for (int64_t b = 0; b < feature->border_count; b++) {
            __mmask16 above = _mm512_cmp_ps_mask(value, _mm512_set1_ps(border[feature->border_start + b]), _CMP_GT_OQ);
            bucket = _mm512_mask_sub_epi32(bucket, above, bucket, _mm512_set1_epi32(-1));
        }
        __mmask16 missing = _mm512_cmp_ps_mask(value, value, _CMP_UNORD_Q);
        bucket = _mm512_mask_mov_epi32(bucket, missing, _mm512_set1_epi32(feature->missing_bucket));
        _mm_storeu_si128((__m128i *)(block + 16 * q), _mm512_cvtepi32_epi8(bucket));
    }
}

__attribute__((target("avx2")))
void sibyl_oblivious_quantize_avx2(
    const sibyl_quantizer *quantizer, int64_t quantizer_count, const float *border, const float *rows,
    int64_t row_count, int64_t feature_count, uint8_t *block) {
    __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i valid[2], offset[2];
    for (int half = 0; half < 2; half++) {
        __m256i row = _mm256_add_epi32(lane, _mm256_set1_epi32(8 * half));
        valid[half] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)row_count), row);
        offset[half] = _mm256_mullo_epi32(row, _mm256_set1_epi32((int32_t)feature_count));
    }
    for (int64_t q = 0; q < quantizer_count; q++) {
        const sibyl_quantizer *feature = quantizer + q;
        int32_t buckets[16];
        for (int half = 0; half < 2; half++) {
            __m256 value = _mm256_mask_i32gather_ps(
                _mm256_setzero_ps(), rows + feature->column, offset[half], _mm256_castsi256_ps(valid[half]), 4);
            __m256i bucket = _mm256_setzero_si256();
            for (int64_t b = 0; b < feature->border_count; b++) {
                __m256 above = _mm256_cmp_ps(value, _mm256_set1_ps(border[feature->border_start + b]), _CMP_GT_OQ);
                bucket = _mm256_sub_epi32(bucket, _mm256_castps_si256(above));
            }
            __m256 missing = _mm256_cmp_ps(value, value, _CMP_UNORD_Q);
            bucket = _mm256_castps_si256(_mm256_blendv_ps(
                _mm256_castsi256_ps(bucket), _mm256_castsi256_ps(_mm256_set1_epi32(feature->missing_bucket)), missing));
            _mm256_storeu_si256((__m256i *)(buckets + 8 * half), bucket);
        }
        for (int row = 0; row < 16; row++) block[16 * q + row] = (uint8_t)buckets[row];
    }
}

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

void sibyl_oblivious_quantize_avx512(
    const sibyl_quantizer *quantizer, int64_t quantizer_count, const float *border, const float *rows,
    int64_t row_count, int64_t feature_count, uint8_t *block) {
    (void)quantizer, (void)quantizer_count, (void)border, (void)rows, (void)row_count, (void)feature_count, (void)block;
}

void sibyl_oblivious_quantize_avx2(
    const sibyl_quantizer *quantizer, int64_t quantizer_count, const float *border, const float *rows,
    int64_t row_count, int64_t feature_count, uint8_t *block) {
    (void)quantizer, (void)quantizer_count, (void)border, (void)rows, (void)row_count, (void)feature_count, (void)block;
}

void sibyl_oblivious_add_leaves_avx512(const sibyl_oblivious_forest *forest, const uint8_t *block, double *out) {
    (void)forest, (void)block, (void)out;
}

void sibyl_oblivious_add_leaves_avx2(const sibyl_oblivious_forest *forest, const uint8_t *block, double *out) {
    (void)forest, (void)block, (void)out;
}

#endif
