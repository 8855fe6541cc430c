// The expression lexer, parser and evaluator, and template text ("{{ ... }}"). The first
// byte picks: even, the rest is an expression, parsed and evaluated against a scope shaped
// like a run's; odd, it is template text rendered against the same scope. Evaluation is
// bounded by the language's step budget and size limits, so a slow or huge input (libFuzzer's
// -timeout and -rss_limit_mb) is a finding as much as a crash is.
import FuzzSupport
import Engine

let scope: JSONValue = [
    "inputs": ["name": "world", "n": 3, "rows": [1, 2, 3], "dry_run": false, "nested": ["a": ["b": [nil, true]]]],
    "steps": ["fetch": ["output": ["status": 200, "body": ["items": [["id": "x1"], ["id": "x2"]]], "text": "héllo"]]],
    "input": ["rows": ["a", "b"], "n": -1.5],
]

fuzz { bytes in
    guard let mode = bytes.first else { return }
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    if mode & 1 == 0 {
        guard let expression = try? Expression(text) else { return }
        _ = try? expression.evaluate(scope)
        // The parsed form is determined by the source: parsing it again must succeed.
        guard (try? Expression(expression.source)) != nil else { finding("an expression parses once but not twice") }
    } else {
        _ = try? TemplateText.render(text, scope: scope)
    }
}
