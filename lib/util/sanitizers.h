// STRATA_ADDRESS_SANITIZER: 1 when the build runs under AddressSanitizer
// (GCC's -fsanitize=address defines __SANITIZE_ADDRESS__; Clang reports
// it through __has_feature), else 0. For code that must step aside for
// it, such as pools whose slots it could not see.
#ifndef STRATA_UTIL_SANITIZERS_H_
#define STRATA_UTIL_SANITIZERS_H_

#if defined(__SANITIZE_ADDRESS__)
#define STRATA_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRATA_ADDRESS_SANITIZER 1
#endif
#endif
#ifndef STRATA_ADDRESS_SANITIZER
#define STRATA_ADDRESS_SANITIZER 0
#endif

#endif  // STRATA_UTIL_SANITIZERS_H_
