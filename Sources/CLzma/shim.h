#include <lzma.h>

// Macros Swift does not import (they expand through UINT32_C / UINT64_C).
static const uint32_t CLZMA_CONCATENATED = LZMA_CONCATENATED;
static const uint64_t CLZMA_MEMLIMIT_NONE = UINT64_MAX;
