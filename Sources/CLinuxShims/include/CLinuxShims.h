// Linux calls Swift's Glibc module does not import (they sit behind _GNU_SOURCE or in
// linux/ headers), each a one-line wrapper, and two things of the map's hot path Swift lacks: a
// prefetch and a table in read-only data.
#pragma once

#ifndef __linux__
#error "mr runs on Linux only: it uses renameat2, PR_SET_PDEATHSIG, pipe2 and /proc (see README, Requirements)"
#endif

/// pipe2(fds, O_CLOEXEC): both ends closed on exec.
int mr_pipe_cloexec(int fds[2]);

/// prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills this process when its parent exits.
int mr_die_with_parent(void);

#include <spawn.h>

/// posix_spawn_file_actions_addchdir_np: the child starts in `path`.
int mr_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

/// The calling thread's own 8 cells (thread-local, zeroed at thread start): where a thread
/// publishes the task and record it works on, for a signal handler on that thread to read.
long *mr_thread_cells(void);

/// renameat2(..., RENAME_EXCHANGE): swaps two paths atomically.
int mr_rename_exchange(const char *first, const char *second);

/// Starts loading the cache line at `address` so that a later access need not wait for memory
/// (Swift has no prefetch of its own).
static inline void mr_prefetch(const void *address) { __builtin_prefetch(address); }

/// For a key of 0-16 bytes loaded as two little-endian 8-byte words, the masks that keep its
/// bytes (word 0: bytes 0-7, word 1: bytes 8-15) and clear what follows it. Constant data, not a
/// computation: Swift computes the second mask with a branch on "longer than 8 bytes", which
/// mispredicts on the long tail of words, and a table of its own would be initialised lazily,
/// with a check at every use.
static const unsigned long long mr_key_word_masks[17][2] = {
    {0x0000000000000000, 0x0000000000000000},
    {0x00000000000000FF, 0x0000000000000000},
    {0x000000000000FFFF, 0x0000000000000000},
    {0x0000000000FFFFFF, 0x0000000000000000},
    {0x00000000FFFFFFFF, 0x0000000000000000},
    {0x000000FFFFFFFFFF, 0x0000000000000000},
    {0x0000FFFFFFFFFFFF, 0x0000000000000000},
    {0x00FFFFFFFFFFFFFF, 0x0000000000000000},
    {0xFFFFFFFFFFFFFFFF, 0x0000000000000000},
    {0xFFFFFFFFFFFFFFFF, 0x00000000000000FF},
    {0xFFFFFFFFFFFFFFFF, 0x000000000000FFFF},
    {0xFFFFFFFFFFFFFFFF, 0x0000000000FFFFFF},
    {0xFFFFFFFFFFFFFFFF, 0x00000000FFFFFFFF},
    {0xFFFFFFFFFFFFFFFF, 0x000000FFFFFFFFFF},
    {0xFFFFFFFFFFFFFFFF, 0x0000FFFFFFFFFFFF},
    {0xFFFFFFFFFFFFFFFF, 0x00FFFFFFFFFFFFFF},
    {0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF}
};
static inline unsigned long long mr_key_word_mask(long length, int word) { return mr_key_word_masks[length][word]; }

/// The first occurrence of the 3 bytes at `needle` in `haystack`, or NULL: memchr for the first
/// byte, then a look at the next two. Where that byte is rare (1 in 256 in compressed data) this
/// runs at memchr's speed, 3x glibc's memmem (5.7 ms against 19 ms for 85 MB of gzip here).
void *mr_find_three_bytes(const void *haystack, unsigned long haystackLength, const unsigned char needle[3]);

/// The shortest `%.15g`..`%.17g` text of `number` that strtod reads back as it; its length.
/// Swift cannot call snprintf (variadic) without building an argument array.
int mr_format_double(char *buffer, int size, double number);
