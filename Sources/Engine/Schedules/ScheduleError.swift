/// Why a schedule's cron expression or time zone was refused. `message` is written for the
/// user who typed the schedule; `kind` is for callers that map errors to statuses.
public struct ScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The cron expression does not parse, or names a value out of range.
        case invalidExpression
        /// The zone name is not one that could name a file under the zone directory.
        case invalidZoneName
        /// No zone file by that name.
        case unknownZone
        /// The zone file exists but is not TZif data this reader accepts.
        case malformedZoneFile
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
