#include "sibyl_kernels.h"

int sibyl_forest_kernels(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return (__builtin_cpu_supports("avx2") ? SIBYL_KERNEL_AVX2 : 0) |
        (__builtin_cpu_supports("avx512f") ? SIBYL_KERNEL_AVX512 : 0);
#else
    return 0;
#endif
}
