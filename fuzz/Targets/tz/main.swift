// The POSIX TZ rule parser and the TZif reader (through Engine's ZoneParsing door), probed at
// an instant the input gives. Input: [mode byte][8 bytes: seconds since 1970, little-endian,
// folded into what an Instant can hold][TZ string if mode is even, TZif file if odd].
import FuzzSupport
import Engine

fuzz { bytes in
    var input = FuzzInput(bytes)
    let mode = input.byte()
    let second = Int(input.int64() % 9_000_000_000)
    if mode & 1 == 0 {
        ZoneParsing.posixTZ(String(decoding: input.rest(), as: UTF8.self), probing: second)
    } else {
        ZoneParsing.tzif(input.rest(), probing: second)
    }
}
