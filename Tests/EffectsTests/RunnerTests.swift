import Engine
import Testing
@testable import Effects

@Suite struct HTTPRequestRunnerTests {
    let runner = HTTPRequestRunner()

    @Test func getReturnsStatusLowerCaseHeadersAndParsedJSON() async throws {
        let peer = try await Peer.shared.value
        let output = try await runner.run(invocation("http_request", ["url": .string(peer.url("/echo"))]))
        #expect(output["status"] == 200)
        #expect(output["headers"]?["content-type"] == "application/json; charset=utf-8")
        #expect(output["headers"]?["x-multi"] == "a, b")
        #expect(output["body"]?["method"] == "GET")
    }

    @Test func jsonBodiesAreSentAsJSONAndStringsAsIs() async throws {
        let peer = try await Peer.shared.value
        let json = try await runner.run(invocation("http_request", [
            "method": "post", "url": .string(peer.url("/echo")), "body": ["b": 2, "a": [true, nil]],
            "headers": ["X-Count": 3],
        ]))
        #expect(json["body"]?["method"] == "POST")
        #expect(json["body"]?["body"] == #"{"a":[true,null],"b":2}"#)
        #expect(json["body"]?["headers"]?["content-type"] == "application/json")
        #expect(json["body"]?["headers"]?["x-count"] == "3")

        let text = try await runner.run(invocation("http_request", [
            "method": "PUT", "url": .string(peer.url("/echo")), "body": "a=1&b=2",
            "headers": ["Content-Type": "application/x-www-form-urlencoded"],
        ]))
        #expect(text["body"]?["body"] == "a=1&b=2")
        #expect(text["body"]?["headers"]?["content-type"] == "application/x-www-form-urlencoded")
    }

    @Test func textAndChunkedBodies() async throws {
        let peer = try await Peer.shared.value
        let text = try await runner.run(invocation("http_request", ["url": .string(peer.url("/text"))]))
        #expect(text["body"] == "hello, text é")
        let chunked = try await runner.run(invocation("http_request", ["url": .string(peer.url("/chunked"))]))
        #expect(chunked["body"] == ["items": [1, 2, 3]])
    }

    @Test func statusOutsideTheExpectedOnesIsHTTPStatus() async throws {
        let peer = try await Peer.shared.value
        let serverError = await failure(of: runner, invocation("http_request", ["url": .string(peer.url("/status/500"))]))
        #expect(serverError?.code == StepFailure.httpStatus)
        #expect(serverError?.message.contains("500") == true)
        #expect(serverError?.message.contains("status body 500") == true)

        let expected = try await runner.run(invocation("http_request", [
            "url": .string(peer.url("/status/404")), "expect_status": [200, 404],
        ]))
        #expect(expected["status"] == 404)
        let notExpected = await failure(of: runner, invocation("http_request", [
            "url": .string(peer.url("/text")), "expect_status": 201,
        ]))
        #expect(notExpected?.code == StepFailure.httpStatus)
    }

    @Test func transportFailuresMapToStepCodes() async throws {
        let refused = await failure(of: runner, invocation("http_request", ["url": .string("http://127.0.0.1:\(try closedPort())/")]))
        #expect(refused?.code == StepFailure.connection)
        let listener = try SilentListener()
        let timedOut = await failure(of: runner, invocation("http_request", ["url": .string(listener.url), "timeout": "0.3s"]))
        #expect(timedOut?.code == StepFailure.timeout)
        let untrusted = await failure(of: runner, invocation("http_request", [
            "url": .string(try await Peer.sharedTLS.value.url("/text")),
        ]))
        #expect(untrusted?.code == StepFailure.connection)
        let peer = try await Peer.shared.value
        let small = HTTPRequestRunner(client: HTTPClient(configuration: .init(maxResponseBytes: 100)))
        let tooLarge = await failure(of: small, invocation("http_request", ["url": .string(peer.url("/big/101"))]))
        #expect(tooLarge?.code == StepFailure.responseTooLarge)
    }

    @Test func httpsWithAConfiguredCA() async throws {
        let certificates = try await TestCertificates.shared.value
        let runner = HTTPRequestRunner(client: HTTPClient(configuration: .init(extraCAFile: certificates.caCertificate)))
        let output = try await runner.run(invocation("http_request", [
            "url": .string(try await Peer.sharedTLS.value.url("/echo")), "timeout": 5,
        ]))
        #expect(output["status"] == 200)
    }

    @Test func cancellationIsCanceled() async throws {
        let listener = try SilentListener()
        let runner = self.runner
        let task = Task { try await runner.run(invocation("http_request", ["url": .string(listener.url)])) }
        try await Task.sleep(for: .milliseconds(100))
        await cancelPromptly(task, expecting: StepFailure.canceled)
    }

    @Test(arguments: [
        [:],                                                  // no url
        ["url": 5],
        ["url": "ftp://x/"],
        ["url": "http://x/", "timeout": "soon"],
        ["url": "http://x/", "timeout": -1],
        ["url": "http://x/", "timeout": "0s"],
        ["url": "http://x/", "headers": "X: y"],
        ["url": "http://x/", "headers": ["X": ["nested"]]],
        ["url": "http://x/", "expect_status": "200"],
        ["url": "http://x/", "expect_status": [2000]],
        ["url": "http://x/", "method": "GE T"],
    ] as [[String: JSONValue]])
    func badConfigIsInvalidConfig(config: [String: JSONValue]) async {
        #expect(await failure(of: runner, invocation("http_request", config))?.code == StepFailure.invalidConfig)
    }

    @Test func durations() throws {
        let config = StepConfig(invocation("x", ["a": "5s", "b": "1.5s", "c": "250ms", "d": 2.5, "e": "2m", "f": "1h"]))
        #expect(try config.duration("a") == .seconds(5))
        #expect(try config.duration("b") == .milliseconds(1500))
        #expect(try config.duration("c") == .milliseconds(250))
        #expect(try config.duration("d") == .milliseconds(2500))
        #expect(try config.duration("e") == .seconds(120))
        #expect(try config.duration("f") == .seconds(3600))
        #expect(try config.duration("missing") == nil)
    }
}

@Suite struct WebhookRunnerTests {
    let runner = WebhookRunner()

    @Test func postsThePayloadOrTheInput() async throws {
        let peer = try await Peer.shared.value
        let withPayload = try await runner.run(invocation("webhook", [
            "url": .string(peer.url("/echo")), "payload": ["event": "done"], "headers": ["X-Signature": "s"],
        ], input: ["ignored": true]))
        #expect(withPayload["status"] == 200)
        #expect(withPayload["body"]?["method"] == "POST")
        #expect(withPayload["body"]?["body"] == #"{"event":"done"}"#)
        #expect(withPayload["body"]?["headers"]?["content-type"] == "application/json")
        #expect(withPayload["body"]?["headers"]?["x-signature"] == "s")

        let withInput = try await runner.run(invocation("webhook", ["url": .string(peer.url("/echo"))], input: ["n": 1]))
        #expect(withInput["body"]?["body"] == #"{"n":1}"#)
    }

    @Test func non2xxIsHTTPStatus() async throws {
        let peer = try await Peer.shared.value
        let failure = await failure(of: runner, invocation("webhook", ["url": .string(peer.url("/status/503"))]))
        #expect(failure?.code == StepFailure.httpStatus)
        #expect(failure?.message.contains("503") == true)
    }
}

@Suite struct ScriptRunnerTests {
    let runner = ScriptRunner(allowScripts: true)

    @Test func refusedUnlessAllowed() async {
        let failure = await failure(of: ScriptRunner(), invocation("script", ["command": "echo"]))
        #expect(failure?.code == StepFailure.scriptsDisabled)
    }

    @Test func runsWithArgsEnvStdinAndCwd() async throws {
        let output = try await runner.run(invocation("script", [
            "command": "sh", "args": ["-c", "echo \"$1 $GREETING $(pwd)\"; cat; echo warn >&2", "sh", "arg1"],
            "env": ["GREETING": "hi"], "stdin": "from stdin", "cwd": "/tmp",
        ]))
        #expect(output == ["exit_code": 0, "stdout": "arg1 hi /tmp\nfrom stdin", "stderr": "warn\n", "truncated": false])
    }

    @Test func parseJSON() async throws {
        let output = try await runner.run(invocation("script", [
            "command": "echo", "args": [#"{"ok": true, "n": [1, 2]}"#], "parse_json": true,
        ]))
        #expect(output["json"] == ["ok": true, "n": [1, 2]])
        let notJSON = await failure(of: runner, invocation("script", ["command": "echo", "args": ["nope"], "parse_json": true]))
        #expect(notJSON?.code == StepFailure.invalidOutput)
    }

    @Test func nonZeroExitIsExitCodeWithStderr() async {
        let failure = await failure(of: runner, invocation("script", [
            "command": "sh", "args": ["-c", "echo 'disk on fire' >&2; exit 7"],
        ]))
        #expect(failure?.code == StepFailure.exitCode)
        #expect(failure?.message.contains("code 7") == true)
        #expect(failure?.message.contains("disk on fire") == true)
    }

    @Test func truncationIsFlagged() async throws {
        let small = ScriptRunner(allowScripts: true, outputLimit: 10)
        let output = try await small.run(invocation("script", ["command": "echo", "args": ["0123456789abcdef"]]))
        #expect(output["stdout"] == "0123456789")
        #expect(output["truncated"] == true)
    }

    @Test func timeoutNotFoundAndCancel() async throws {
        let timedOut = await failure(of: runner, invocation("script", ["command": "sleep", "args": ["30"], "timeout": "300ms"]))
        #expect(timedOut?.code == StepFailure.timeout)
        let missing = await failure(of: runner, invocation("script", ["command": "spindle-no-such-command"]))
        #expect(missing?.code == StepFailure.invalidConfig)
        #expect(missing?.message.contains("spindle-no-such-command") == true)
        let badCwd = await failure(of: runner, invocation("script", ["command": "pwd", "cwd": "/nonexistent-dir"]))
        #expect(badCwd?.code == StepFailure.invalidConfig)

        let runner = self.runner
        let task = Task { try await runner.run(invocation("script", ["command": "sleep", "args": ["30"]])) }
        try await Task.sleep(for: .milliseconds(100))
        await cancelPromptly(task, expecting: StepFailure.canceled)
    }
}

@Suite struct AgentTaskRunnerTests {
    func runner(_ peer: Peer, key: String? = "test-key") -> AgentTaskRunner {
        AgentTaskRunner(endpoint: peer.url("/v1/"), apiKey: key, model: "default-model")
    }

    @Test func sendsAChatCompletionAndReturnsTheFirstChoice() async throws {
        let peer = try await Peer.shared.value
        let output = try await runner(peer).run(invocation("agent_task", [
            "prompt": "Summarize this", "system": "Be brief", "temperature": 0.2, "max_tokens": 50,
        ]))
        #expect(output["model"] == "default-model-0001")
        #expect(output["finish_reason"] == "stop")
        #expect(output["usage"] == ["prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10])
        // The fake endpoint answers with the request it received.
        let request = try JSONValue.parse(try #require(output["content"]?.stringValue))
        #expect(request == [
            "model": "default-model", "temperature": 0.2, "max_tokens": 50,
            "messages": [["role": "system", "content": "Be brief"], ["role": "user", "content": "Summarize this"]],
        ])
    }

    @Test func configModelWinsAndSystemIsOptional() async throws {
        let peer = try await Peer.shared.value
        let output = try await runner(peer).run(invocation("agent_task", ["prompt": "Hi", "model": "other"]))
        let request = try JSONValue.parse(try #require(output["content"]?.stringValue))
        #expect(request == ["model": "other", "messages": [["role": "user", "content": "Hi"]]])
    }

    @Test func failures() async throws {
        let peer = try await Peer.shared.value
        let unauthorized = await failure(of: runner(peer, key: "wrong"), invocation("agent_task", ["prompt": "Hi"]))
        #expect(unauthorized?.code == StepFailure.llm)
        #expect(unauthorized?.message.contains("401") == true)
        #expect(unauthorized?.message.contains("bad key") == true)

        let noEndpoint = await failure(of: AgentTaskRunner(endpoint: nil), invocation("agent_task", ["prompt": "Hi"]))
        #expect(noEndpoint?.code == StepFailure.invalidConfig)
        #expect(noEndpoint?.message.contains("--llm-endpoint") == true)

        let noPrompt = await failure(of: runner(peer), invocation("agent_task", [:]))
        #expect(noPrompt?.code == StepFailure.invalidConfig)

        let notAnLLM = AgentTaskRunner(endpoint: peer.url("/echo"), apiKey: nil)
        #expect(await failure(of: notAnLLM, invocation("agent_task", ["prompt": "Hi"]))?.code == StepFailure.llm)

        let down = AgentTaskRunner(endpoint: "http://127.0.0.1:\(try closedPort())/v1")
        #expect(await failure(of: down, invocation("agent_task", ["prompt": "Hi"]))?.code == StepFailure.connection)
    }
}
