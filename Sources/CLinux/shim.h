#ifndef SPINDLE_CLINUX_SHIM_H
#define SPINDLE_CLINUX_SHIM_H
// Linux and GNU calls that Swift's Glibc module does not export: its module map has no
// sys/eventfd.h or sys/pidfd.h, GNU extensions (pipe2, pthread_setname_np,
// posix_spawn_file_actions_addchdir_np and _addclosefrom_np) are declared only under
// _GNU_SOURCE, and siginfo_t's si_pid / si_status are macros over a union. The Effects module
// (subprocesses, sockets on dedicated threads) uses them; each wrapper exists only to make
// one of them callable.
#include <signal.h>
#include <spawn.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>

extern int pipe2(int pipefd[2], int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

static inline int spindle_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

static inline int spindle_eventfd(unsigned int initial, int flags) { return eventfd(initial, flags); }
static inline int spindle_efd_cloexec_nonblock(void) { return EFD_CLOEXEC | EFD_NONBLOCK; }

// A pollable descriptor that becomes readable when the process exits (Linux 5.3+); -1 with
// errno set where the kernel or a sandbox refuses it.
static inline int spindle_pidfd_open(pid_t pid) { return pidfd_open(pid, 0); }

// Linux limits thread names to 15 bytes plus the NUL; longer names are refused (ERANGE).
static inline int spindle_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

static inline int spindle_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

// Closes every descriptor from `from` up in the child (glibc 2.34+): what the server itself
// inherited without close-on-exec does not reach a command either.
static inline int spindle_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

static inline pid_t spindle_siginfo_pid(const siginfo_t *info) { return info->si_pid; }
static inline int spindle_siginfo_code(const siginfo_t *info) { return info->si_code; }
static inline int spindle_siginfo_status(const siginfo_t *info) { return info->si_status; }

// ioctl(2) is variadic, which Swift cannot call: the terminal's width in columns for the CLI's
// `run watch` screen, 0 when `fd` is not a terminal.
#include <sys/ioctl.h>
static inline int spindle_terminal_columns(int fd) {
    struct winsize size;
    return ioctl(fd, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
}
#endif
