// The POSIX TZ rule parser and the TZif reader (through Engine's ZoneParsing door). The first
// byte picks: even, the rest is a TZ string; odd, the rest is a TZif file.
import FuzzSupport
import Engine

fuzz { bytes in
    guard let mode = bytes.first else { return }
    if mode & 1 == 0 {
        ZoneParsing.posixTZ(String(decoding: bytes.dropFirst(), as: UTF8.self))
    } else {
        ZoneParsing.tzif(Array(bytes.dropFirst()))
    }
}
