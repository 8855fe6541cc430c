#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer): runs the fuzzing loop with
// the flags in argv and calls UserCb for each input. Used instead of libFuzzer's own main,
// which SwiftPM's renamed executable entry point (<target>_main) would not reach.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
