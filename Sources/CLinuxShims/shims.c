#define _GNU_SOURCE
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "CLinuxShims.h"

int mr_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int mr_die_with_parent(void) { return prctl(PR_SET_PDEATHSIG, SIGKILL); }

int mr_rename_exchange(const char *first, const char *second) {
    return renameat2(AT_FDCWD, first, AT_FDCWD, second, RENAME_EXCHANGE);
}

int mr_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

static _Thread_local long thread_cells[8];

long *mr_thread_cells(void) { return thread_cells; }

void *mr_find_three_bytes(const void *haystack, unsigned long haystackLength, const unsigned char needle[3]) {
    const unsigned char *at = haystack, *end = at + haystackLength;
    while (end - at >= 3) {
        const unsigned char *hit = memchr(at, needle[0], (unsigned long)(end - at) - 2);
        if (hit == NULL) return NULL;
        if (hit[1] == needle[1] && hit[2] == needle[2]) return (void *)hit;
        at = hit + 1;
    }
    return NULL;
}

int mr_format_double(char *buffer, int size, double number) {
    int length = 0;
    for (int precision = 15; precision <= 17; precision++) {
        length = snprintf(buffer, size, "%.*g", precision, number);
        if (!isfinite(number) || strtod(buffer, NULL) == number) break;
    }
    return length;
}
