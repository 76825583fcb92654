// STRATA_AVX2_CLONE: compiles a function twice, for the baseline x86-64
// and for AVX2, the one the CPU runs picked once at load time (GCC and
// Clang's target_clones, an ifunc).
//
// Not under ThreadSanitizer: an ifunc resolver runs while the dynamic
// loader relocates the program, before the TSan runtime is set up, and
// the instrumented resolver crashes the process at load. A TSan build
// keeps the baseline version only.
#ifndef STRATA_UTIL_TARGET_CLONES_H_
#define STRATA_UTIL_TARGET_CLONES_H_

#if defined(__SANITIZE_THREAD__)
#define STRATA_NO_TARGET_CLONES 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRATA_NO_TARGET_CLONES 1
#endif
#endif

#if defined(STRATA_NO_TARGET_CLONES) || !defined(__x86_64__)
#define STRATA_AVX2_CLONE
#else
#define STRATA_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#endif

#endif  // STRATA_UTIL_TARGET_CLONES_H_
