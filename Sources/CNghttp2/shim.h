#ifndef SPINDLE_CNGHTTP2_SHIM_H
#define SPINDLE_CNGHTTP2_SHIM_H
// nghttp2 1.52 (Debian 12). Only the pre-1.60 API is available: mem_recv/mem_send,
// nghttp2_submit_response and nghttp2_data_provider.
#include <nghttp2/nghttp2.h>
#endif
