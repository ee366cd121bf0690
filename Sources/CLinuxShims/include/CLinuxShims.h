// Linux calls Swift's Glibc module does not import (they sit behind _GNU_SOURCE or in
// linux/ headers). Each is a one-line wrapper.
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

/// memmem: the first occurrence of `needle` in `haystack`, or NULL.
void *mr_memmem(const void *haystack, unsigned long haystackLength, const void *needle, unsigned long needleLength);
