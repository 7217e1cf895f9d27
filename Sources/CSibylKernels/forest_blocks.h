// The part of a batch kernel that is the same for every instruction set: rows taken `lanes` at a time,
// transposed so that a feature's values for the block lie together, and their sums carried to and from
// the margins. `walk` is the kernel's own vector code for one block.
#ifndef SIBYL_FOREST_BLOCKS_H
#define SIBYL_FOREST_BLOCKS_H

#include <string.h>

#include "sibyl_kernels.h"

/// Adds every tree's leaf to `sums` (`group_count` × lanes, by group) for one block of `rows` (lanes ×
/// `feature_count`, row-major), whose values are also given by feature (`by_feature[f * lanes + lane]`).
typedef void (*sibyl_block_walk)(
    const sibyl_perfect_forest *forest, const float *rows, const float *by_feature, float *sums);

static inline void sibyl_forest_walk_blocks(
    const sibyl_perfect_forest *forest, const float *rows, int64_t row_count, float *margins, float *scratch,
    int64_t lanes, sibyl_block_walk walk) {
    const int64_t features = forest->feature_count, groups = forest->group_count;
    float *by_feature = scratch, *block = scratch + lanes * features, *sums = block + lanes * features;
    for (int64_t first = 0; first < row_count; first += lanes) {
        const int64_t count = row_count - first < lanes ? row_count - first : lanes;
        const float *walked = rows + first * features;
        if (count < lanes) {
            // The last rows walk from a full block; the lanes past them walk zeros and are dropped.
            memset(block, 0, sizeof(float) * lanes * features);
            memcpy(block, walked, sizeof(float) * count * features);
            walked = block;
        }
        for (int64_t lane = 0; lane < lanes; lane++)
            for (int64_t f = 0; f < features; f++) by_feature[f * lanes + lane] = walked[lane * features + f];
        for (int64_t g = 0; g < groups; g++)
            for (int64_t lane = 0; lane < lanes; lane++)
                sums[g * lanes + lane] = lane < count ? margins[(first + lane) * groups + g] : 0;
        walk(forest, walked, by_feature, sums);
        for (int64_t g = 0; g < groups; g++)
            for (int64_t lane = 0; lane < count; lane++) margins[(first + lane) * groups + g] = sums[g * lanes + lane];
    }
}

#endif
