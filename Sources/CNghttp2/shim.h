#ifndef SPINDLE_CNGHTTP2_SHIM_H
#define SPINDLE_CNGHTTP2_SHIM_H
// nghttp2 1.52 (Debian 12). Only the pre-1.60 API is available: mem_recv/mem_send,
// nghttp2_submit_response and nghttp2_data_provider.
#include <nghttp2/nghttp2.h>

// The HTTP2 module's event loop also needs Linux syscalls that Swift's Glibc module does
// not export (its module map has no sys/epoll.h or sys/eventfd.h, and accept4 is a
// _GNU_SOURCE declaration). They live here, the HTTP2 layer's only C module.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

// accept4(2) is declared only under _GNU_SOURCE; this makes it callable from Swift.
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
static inline int spindle_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}
#endif
