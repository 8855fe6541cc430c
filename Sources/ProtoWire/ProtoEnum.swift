/// A proto3 (open) enum: a struct wrapping the Int32 wire value, with static constants for
/// the named values. Unknown values survive decode and re-encode unchanged.
public protocol ProtoEnum: RawRepresentable, Hashable, Sendable where RawValue == Int32 {
    init(rawValue: Int32)
}
