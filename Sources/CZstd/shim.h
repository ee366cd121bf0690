// Frame-header parsing (ZSTD_frameHeaderSize) is in the "static linking" part of the API;
// Debian's shared libzstd exports it.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
