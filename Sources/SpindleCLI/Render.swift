// Table and text rendering of the API's messages for people (--output table, the default).
// Pure functions of the messages: tested without a server.
import ProtoJSON
import Messages

/// Columns padded to their widest cell; the last column is not padded.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (i, cell) in cells.enumerated() {
                if i == cells.count - 1 { text += cell } else { text += padded(cell, widths[i] + 2) }
            }
            return text.trimmingTrailingSpaces() + "\n"
        }
        return ([line(headers)] + rows.map(line)).joined()
    }
}

enum Render {
    /// An enum value's name without its type prefix: RUN_STATUS_COMPLETED → COMPLETED.
    static func name<E: SchemaEnum>(_ value: E) -> String {
        let names = E.values
        guard let full = names.first(where: { $0.number == value.rawValue })?.name else { return String(value.rawValue) }
        let prefix = enumPrefix(E.self)
        return full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full
    }

    /// The value named `text` (COMPLETED, completed or RUN_STATUS_COMPLETED).
    static func parse<E: SchemaEnum>(_ text: String, _ type: E.Type, flag: String) throws(CLIError) -> E {
        let wanted = text.uppercased()
        let prefix = enumPrefix(E.self)
        for (name, number) in E.values where number != 0 && (name == wanted || name == prefix + wanted) {
            return E(rawValue: number)
        }
        let choices = E.values.filter { $0.number != 0 }.map { $0.name.dropFirst(prefix.count).lowercased() }
        throw .usage("\(flag) must be one of \(choices.joined(separator: ", ")), got \"\(text)\"")
    }

    /// "RUN_STATUS_" for RunStatus: the zero value's name without UNSPECIFIED.
    static func enumPrefix<E: SchemaEnum>(_ type: E.Type) -> String {
        guard let zero = E.values.first(where: { $0.number == 0 }) else { return "" }
        return zero.name.replacingSuffix("UNSPECIFIED")
    }

    static func time(_ t: GoogleProtobuf.Timestamp?) -> String {
        guard let t, t.seconds != 0 || t.nanos != 0 else { return "-" }
        let text = RFC3339.format(seconds: t.seconds, nanos: 0)  // 2026-12-07T22:56:01Z
        return text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }

    /// Between two timestamps (or from `start` to `now` when `end` is unset).
    static func duration(_ start: GoogleProtobuf.Timestamp?, _ end: GoogleProtobuf.Timestamp?, now: Double? = nil) -> String {
        guard let start, start.seconds != 0 else { return "" }
        let from = Double(start.seconds) + Double(start.nanos) / 1e9
        let to: Double
        if let end, end.seconds != 0 { to = Double(end.seconds) + Double(end.nanos) / 1e9 } else if let now { to = now } else { return "" }
        return seconds(max(0, to - from))
    }

    static func seconds(_ s: Double) -> String {
        if s < 1 { return "\(Int((s * 1000).rounded()))ms" }
        if s < 60 { return String(Double(Int(s * 10)) / 10) + "s" }
        let m = Int(s) / 60
        if m < 60 { return "\(m)m\(Int(s) % 60)s" }
        return "\(m / 60)h\(m % 60)m"
    }

    static func value(_ v: GoogleProtobuf.Value?) -> String {
        guard let v else { return "" }
        return Transcoder().encode(v).render()
    }

    static func object(_ s: GoogleProtobuf.Struct?) -> String {
        guard let s else { return "{}" }
        return Transcoder().encode(s).render()
    }

    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(1, width - 1))) + "…"
    }

    static func workflows(_ list: [SpindleV1.Workflow]) -> String {
        var t = Table(headers: ["ID", "NAME", "STATUS", "VERSION", "STEPS", "UPDATED"])
        for w in list {
            t.rows.append([w.id, w.name, name(w.status), String(w.currentVersion), String(w.definition?.steps.count ?? 0),
                           time(w.updatedAt)])
        }
        return t.render()
    }

    static func workflow(_ w: SpindleV1.Workflow) -> String {
        var text = "workflow \(w.name) (\(w.id))\n"
        text += "  status: \(name(w.status))   version: \(w.currentVersion)   updated: \(time(w.updatedAt))\n"
        if !w.description.isEmpty { text += "  description: \(w.description)\n" }
        if !w.tags.isEmpty { text += "  tags: \(w.tags.joined(separator: ", "))\n" }
        if !w.inputs.isEmpty {
            text += "  inputs: " + w.inputs.map { "\($0.name) (\(name($0.type).lowercased())\($0.required ? ", required" : ""))" }
                .joined(separator: ", ") + "\n"
        }
        var t = Table(headers: ["STEP", "TYPE", "DEPENDS ON"])
        for s in w.definition?.steps ?? [] { t.rows.append([s.id, s.type, s.dependsOn.joined(separator: ",")]) }
        return text + "\n" + t.render()
    }

    static func versions(_ list: [SpindleV1.WorkflowVersion]) -> String {
        var t = Table(headers: ["VERSION", "CREATED", "HASH", "SUMMARY"])
        for v in list {
            t.rows.append([String(v.number), time(v.createdAt), String(v.definitionHash.prefix(12)), v.changeSummary])
        }
        return t.render()
    }

    static func diff(_ d: SpindleV1.DiffVersionsResponse) -> String {
        var text = "version \(d.fromVersion) -> \(d.toVersion)"
        text += d.summary.isEmpty ? "\n" : ": \(d.summary)\n"
        if d.operations.isEmpty { return text + "  (no changes)\n" }
        for op in d.operations {
            let sign = switch op.op { case "add": "+"; case "remove": "-"; default: "~" }
            var line = "  \(sign) \(op.op) \(op.path)"
            if !op.from.isEmpty { line += " from \(op.from)" }
            if let v = op.value { line += " = " + clip(value(v), 100) }
            text += line + "\n"
        }
        return text
    }

    static func runs(_ list: [SpindleV1.Run]) -> String {
        var t = Table(headers: ["ID", "WORKFLOW", "VERSION", "STATUS", "PROGRESS", "CREATED", "DURATION"])
        for r in list {
            t.rows.append([r.id, r.workflowID, String(r.workflowVersion), name(r.status), "\(r.progressPercent)%",
                           time(r.createdAt), duration(r.startedAt, r.finishedAt)])
        }
        return t.render()
    }

    static func run(_ r: SpindleV1.Run) -> String {
        var text = "run \(r.id)  workflow \(r.workflowID) v\(r.workflowVersion)\n"
        text += "  status: \(name(r.status))   progress: \(r.progressPercent)%   trigger: \(name(r.trigger))\n"
        text += "  created: \(time(r.createdAt))   finished: \(time(r.finishedAt))"
        let d = duration(r.startedAt, r.finishedAt)
        text += d.isEmpty ? "\n" : "   duration: \(d)\n"
        if let inputs = r.inputs, !inputs.fields.isEmpty { text += "  inputs: \(object(inputs))\n" }
        if let e = r.error { text += "  error: \(e.code): \(e.message)\n" }
        if let p = r.pause { text += "  paused at step \(p.stepID): \(p.message)\n" }
        var t = Table(headers: ["STEP", "TYPE", "STATUS", "ATTEMPTS", "DURATION", "OUTPUT / ERROR"])
        for s in r.steps {
            let detail = s.error.map { "\($0.code): \($0.message)" } ?? clip(value(s.output), 60)
            t.rows.append([s.stepID, s.type, name(s.status), String(s.attempts), duration(s.startedAt, s.finishedAt), detail])
        }
        text += "\n" + t.render()
        if let outputs = r.outputs, !outputs.fields.isEmpty { text += "\noutputs: \(Transcoder().encode(outputs).render(pretty: true))\n" }
        return text
    }

    static func paused(_ list: [SpindleV1.Run]) -> String {
        var t = Table(headers: ["RUN", "WORKFLOW", "STEP", "PAUSED", "MESSAGE"])
        for r in list {
            t.rows.append([r.id, r.workflowID, r.pause?.stepID ?? "", time(r.pause?.pausedAt), r.pause?.message ?? ""])
        }
        return t.render()
    }

    static func schedules(_ list: [SpindleV1.Schedule]) -> String {
        var t = Table(headers: ["ID", "WORKFLOW", "CRON", "ZONE", "STATE", "NEXT RUN", "LAST RUN"])
        for s in list {
            t.rows.append([s.id, s.workflowID, s.cron, s.timeZone.isEmpty ? "UTC" : s.timeZone, s.paused ? "paused" : "active",
                           time(s.nextRunAt), s.lastRunID.isEmpty ? "-" : s.lastRunID])
        }
        return t.render()
    }
}

/// `text` followed by spaces up to `width` characters.
func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

extension String {
    func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
