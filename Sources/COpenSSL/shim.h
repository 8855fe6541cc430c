#ifndef SPINDLE_COPENSSL_SHIM_H
#define SPINDLE_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/rand.h>

// The OpenSSL setters below are C macros (SSL_CTX_ctrl calls underneath), which Swift
// cannot import. Each wrapper exists only to make one macro callable.
static inline long spindle_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline int spindle_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline long spindle_SSL_CTX_set_options(SSL_CTX *ctx, long options) {
    return (long)SSL_CTX_set_options(ctx, (uint64_t)options);
}
static inline int spindle_BIO_pending(BIO *bio) {
    return (int)BIO_pending(bio);
}
// SSL_OP_* are SSL_OP_BIT(n) macros (uint64_t shifts) that Swift does not import: sets the
// server options Spindle wants (no TLS compression, no renegotiation, server cipher order).
static inline void spindle_SSL_CTX_set_server_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION
                             | SSL_OP_CIPHER_SERVER_PREFERENCE);
}
// Client side (the Effects module's HTTPS client).
// SSL_set_tlsext_host_name is an SSL_ctrl macro: sends SNI.
static inline int spindle_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
// SSL_OP_* are SSL_OP_BIT(n) macros: the client options (no TLS compression, no
// renegotiation, and a peer's close without close_notify read as end of stream, which
// read-until-close HTTP bodies need and HTTP framing makes safe for the others).
static inline void spindle_SSL_CTX_set_client_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION
                             | SSL_OP_IGNORE_UNEXPECTED_EOF);
}
#endif
