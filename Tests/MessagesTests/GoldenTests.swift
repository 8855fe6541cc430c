import Messages
import ProtoWire
import Testing

/// Every golden vector from scripts/proto/gen-golden.py, through the registry: canonical
/// vectors must re-encode to the same bytes; non-canonical ones must decode to the value the
/// reference runtime made of them.
struct GoldenManifestTests {
    static let manifest: [(name: String, type: String)] = {
        let text = (try? Repo.goldenBytes("manifest.txt")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        }
    }()

    @Test func manifestIsComplete() {
        #expect(Self.manifest.count > 60)
    }

    @Test(arguments: manifest.map(\.name))
    func goldenVector(name: String) throws {
        let typeName = try #require(Self.manifest.first { $0.name == name }?.type)
        let type = try #require(MessageRegistry.message(named: typeName), "no Swift type for \(typeName)")
        let bytes = try Repo.goldenBytes(name + ".bin")
        if name.hasPrefix("noncanon_") {
            try checkNonCanonical(type, bytes, expected: try Repo.goldenBytes(name + ".expected.bin"))
        } else {
            try checkCanonical(type, bytes)
        }
    }

    private func checkCanonical<M: SchemaMessage>(_: M.Type, _ bytes: [UInt8]) throws {
        let value = try M(serializedBytes: bytes)
        #expect(value.serializedBytes() == bytes)
    }

    private func checkNonCanonical<M: SchemaMessage>(_: M.Type, _ bytes: [UInt8], expected: [UInt8]) throws {
        let value = try M(serializedBytes: bytes)
        let reference = try M(serializedBytes: expected)
        #expect(value.serializedBytes() == expected)
        #expect(value.serializedBytes() == reference.serializedBytes())
    }
}

/// The same messages built in Swift: encoding must equal the reference bytes exactly, and
/// decoding the reference bytes must give the Swift value back.
struct GoldenValueTests {
    typealias AT = SpindleTesting.AllTypes

    func check<M: ProtoMessage>(_ value: M, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let golden = try Repo.goldenBytes(name + ".bin")
        #expect(value.serializedBytes() == golden, "encode \(name)", sourceLocation: sourceLocation)
        let decoded = try M(serializedBytes: golden)
        #expect(decoded == value, "decode \(name)", sourceLocation: sourceLocation)
    }

    @Test func scalars() throws {
        var m = AT()
        m.fDouble = 1.5; m.fFloat = -2.25; m.fInt64 = -123456789012; m.fUint64 = .max; m.fInt32 = -1
        m.fFixed64 = 0x0102030405060708; m.fFixed32 = 0xDEADBEEF; m.fBool = true; m.fString = "héllo, 世界 🚀"
        m.fBytes = [0, 1, 2, 255]; m.fUint32 = .max; m.fSfixed32 = -5; m.fSfixed64 = -6; m.fSint32 = -7
        m.fSint64 = -8; m.fEnum = .red; m.fNested = .init(a: 42, b: "nested")
        try check(m, "all_types_scalars")
    }

    @Test func minAndMaxValues() throws {
        var lo = AT()
        lo.fInt32 = .min; lo.fInt64 = .min; lo.fSint32 = .min; lo.fSint64 = .min; lo.fSfixed32 = .min
        lo.fSfixed64 = .min; lo.fDouble = -0.0; lo.fFloat = -0.0; lo.fEnum = .negative
        try check(lo, "all_types_min")
        var hi = AT()
        hi.fInt32 = .max; hi.fInt64 = .max; hi.fSint32 = .max; hi.fSint64 = .max; hi.fSfixed32 = .max
        hi.fSfixed64 = .max; hi.fUint32 = .max; hi.fUint64 = .max; hi.fFixed32 = .max; hi.fFixed64 = .max
        hi.fDouble = .greatestFiniteMagnitude; hi.fFloat = .greatestFiniteMagnitude
        try check(hi, "all_types_max")
    }

    @Test func nonFiniteFloatsCompareByBits() throws {
        var m = AT()
        m.fDouble = .nan; m.fFloat = .infinity; m.rDouble = [-.infinity, .leastNonzeroMagnitude]
        let golden = try Repo.goldenBytes("all_types_nonfinite.bin")
        #expect(m.serializedBytes() == golden)
        let back = try AT(serializedBytes: golden)  // NaN != NaN, so compare bit patterns
        #expect(back.fDouble.bitPattern == Double.nan.bitPattern)
        #expect(back.fFloat == .infinity && back.rDouble == m.rDouble)
    }

    @Test func emptyAndOptionalPresence() throws {
        try check(AT(), "all_types_empty")
        var zero = AT()
        zero.oInt32 = 0; zero.oString = ""; zero.oBool = false; zero.oDouble = 0; zero.oEnum = .unspecified
        try check(zero, "all_types_optional_zero")
        var set = AT()
        set.oInt32 = -3; set.oString = "x"; set.oBool = true; set.oDouble = 2.5; set.oEnum = .green
        try check(set, "all_types_optional_set")
    }

    @Test func repeatedPackedAndUnpacked() throws {
        var r = AT()
        r.rDouble = [0, -1.5]; r.rFloat = [1.25, 0]; r.rInt64 = [-1, 0, 1 << 62]; r.rUint64 = [0, .max]
        r.rInt32 = [-1, 0, 1, 300]; r.rFixed64 = [1, 2]; r.rFixed32 = [3, 4]; r.rBool = [true, false, true]
        r.rString = ["", "a", "ü"]; r.rBytes = [[], [0, 255]]; r.rUint32 = [0, 128, 16384]; r.rSfixed32 = [-1, 1]
        r.rSfixed64 = [-2, 2]; r.rSint32 = [-1, 1, -64, 64]; r.rSint64 = [.min, .max]
        r.rEnum = [.red, .negative, .unspecified]; r.rUnpackedInt32 = [-1, 0, 7]; r.rUnpackedSint64 = [-9, 9]
        r.rNested = [.init(a: 1), .init(a: 0, b: "two", c: [2, 2])]
        try check(r, "all_types_repeated")
    }

    @Test func mapsAreSortedByKey() throws {
        var m = AT()
        m.mStringInt32 = ["b": 2, "a": 1, "": 0, "zz": -1, "é": 5]
        m.mInt32String = [3: "three", -1: "minus", 0: "", 100: "hundred"]
        m.mInt64Nested = [-5: .init(a: 5), 7: .init(a: 0, b: "seven"), 0: .init()]
        m.mBoolEnum = [true: .red, false: .unspecified]
        m.mUint32Bytes = [.max: [1], 1: []]
        m.mSint64Double = [-1: -0.5, 1: 0.5]
        try check(m, "all_types_maps")
    }

    @Test func oneofArmsIncludingDefaults() throws {
        var m = AT()
        m.choice = .cInt32(0)
        try check(m, "all_types_oneof_int32_zero")
        m.choice = .cString("chosen")
        try check(m, "all_types_oneof_string")
        m.choice = .cNested(.init())
        try check(m, "all_types_oneof_nested_empty")
        m.choice = .cEnum(.green)
        try check(m, "all_types_oneof_enum")
    }

    @Test func unknownEnumValuesSurvive() throws {
        var m = AT()
        m.fEnum = .init(rawValue: 99); m.rEnum = [.red, .init(rawValue: 99), .init(rawValue: -5)]
        m.oEnum = .init(rawValue: 12345); m.choice = .cEnum(.init(rawValue: 77))
        try check(m, "all_types_unknown_enum")
        var h = GRPCHealthV1.HealthCheckResponse()
        h.status = .init(rawValue: 17)
        try check(h, "health_response_unknown_value")
    }

    @Test func largeFieldsGetMultiByteLengths() throws {
        var m = AT()
        m.fBytes = Array((0..<80).flatMap { _ in (0...255).map { UInt8($0) } })
        m.fNested = .init(a: 0, b: String(repeating: "x", count: 200))
        try check(m, "all_types_large")
    }

    @Test func structValues() throws {
        typealias V = GoogleProtobuf.Value
        let deep = V(.structValue(.init(["deep": V(.listValue(.init([V(.listValue(.init()))])))])))
        let s = GoogleProtobuf.Struct([
            "name": V(.stringValue("spindle")), "count": V(.numberValue(3)), "ok": V(.boolValue(true)),
            "none": V(.nullValue(.nullValue)),
            "list": V(.listValue(.init([V(.numberValue(1)), V(.stringValue("two")), V(.boolValue(false)),
                                         V(.nullValue(.nullValue)), deep]))),
            "obj": V(.structValue(.init(["a": V(.structValue(.init(["b": V(.structValue(.init()))])))]))),
        ])
        try check(s, "struct")
        try check(V(.nullValue(.nullValue)), "value_null")
        try check(V(.numberValue(0)), "value_number_zero")
        try check(GoogleProtobuf.ListValue([V(.stringValue("s")), V(.boolValue(false))]), "list_value")
    }

    @Test func wellKnownTypes() throws {
        try check(GoogleProtobuf.Timestamp(seconds: 1_700_000_000, nanos: 123_456_789), "timestamp")
        try check(GoogleProtobuf.Timestamp(seconds: -62_135_596_800, nanos: 0), "timestamp_negative")
        try check(GoogleProtobuf.Duration(seconds: -5, nanos: -500_000_000), "duration")
        try check(GoogleProtobuf.Empty(), "empty")
        try check(GoogleProtobuf.DoubleValue(-0.0), "wrapper_double")
        try check(GoogleProtobuf.FloatValue(1.5), "wrapper_float")
        try check(GoogleProtobuf.Int64Value(.min), "wrapper_int64")
        try check(GoogleProtobuf.UInt64Value(.max), "wrapper_uint64")
        try check(GoogleProtobuf.Int32Value(-1), "wrapper_int32")
        try check(GoogleProtobuf.UInt32Value(.max), "wrapper_uint32")
        try check(GoogleProtobuf.BoolValue(true), "wrapper_bool")
        try check(GoogleProtobuf.StringValue("wrapped ✓"), "wrapper_string")
        try check(GoogleProtobuf.BytesValue([0, 0x80]), "wrapper_bytes")
        try check(GoogleProtobuf.Int32Value(0), "wrapper_int32_zero")
        var mask = GoogleProtobuf.FieldMask()
        mask.paths = ["a.b", "c"]
        try check(mask, "field_mask")
        try check(GoogleProtobuf.Any(packing: GoogleProtobuf.Timestamp(seconds: 1, nanos: 0)), "any_timestamp")
    }

    @Test func statusWithErrorDetails() throws {
        var br = GoogleRPC.BadRequest()
        br.fieldViolations = [.init(field: "name", description: "must not be empty"),
                              .init(field: "steps[2].timeout", description: "too long")]
        br.fieldViolations[1].reason = "TOO_LONG"
        var lm = GoogleRPC.LocalizedMessage()
        lm.locale = "en-US"; lm.message = "Too long"
        br.fieldViolations[1].localizedMessage = lm
        var info = GoogleRPC.ErrorInfo()
        info.reason = "BAD"; info.domain = "spindle.dev"; info.metadata = ["k2": "v2", "k1": "v1"]
        var retry = GoogleRPC.RetryInfo()
        retry.retryDelay = .init(seconds: 2, nanos: 5)
        var res = GoogleRPC.ResourceInfo()
        res.resourceType = "workflow"; res.resourceName = "w1"; res.owner = "o"; res.description = "d"
        var pf = GoogleRPC.PreconditionFailure()
        var v = GoogleRPC.PreconditionFailure.Violation()
        v.type = "STATE"; v.subject = "run/1"; v.description = "not running"
        pf.violations = [v]
        var st = GoogleRPC.Status()
        st.code = 3; st.message = "invalid workflow"
        st.details = [.init(packing: br), .init(packing: info), .init(packing: retry), .init(packing: res), .init(packing: pf)]
        try check(st, "status_bad_request")
    }

    @Test func healthAndReflection() throws {
        var hreq = GRPCHealthV1.HealthCheckRequest()
        hreq.service = "grpc.health.v1.Health"
        try check(hreq, "health_request")
        var hresp = GRPCHealthV1.HealthCheckResponse()
        hresp.status = .serving
        try check(hresp, "health_response_serving")

        var req = GRPCReflection.ServerReflectionRequest()
        req.host = "localhost"; req.messageRequest = .listServices("")
        try check(req, "reflection_list_services")
        req = .init(); req.messageRequest = .fileByFilename("grpc/health/v1/health.proto")
        try check(req, "reflection_file_by_filename")
        req.messageRequest = .fileContainingSymbol("grpc.testing.TestService")
        try check(req, "reflection_containing_symbol")
        var ext = GRPCReflection.ExtensionRequest()
        ext.containingType = "T"; ext.extensionNumber = 5
        req.messageRequest = .fileContainingExtension(ext)
        try check(req, "reflection_containing_extension")

        var resp = GRPCReflection.ServerReflectionResponse()
        resp.validHost = "h"
        resp.originalRequest = .init(); resp.originalRequest?.messageRequest = .listServices("*")
        var list = GRPCReflection.ListServiceResponse()
        list.service = [.init(name: "grpc.health.v1.Health"), .init(name: "grpc.reflection.v1.ServerReflection")]
        resp.messageResponse = .listServicesResponse(list)
        try check(resp, "reflection_response_services")
        var files = GRPCReflection.FileDescriptorResponse()
        files.fileDescriptorProto = [[0x0A, 0x01, 0x61], []]
        resp = .init(); resp.messageResponse = .fileDescriptorResponse(files)
        try check(resp, "reflection_response_files")
        var err = GRPCReflection.ErrorResponse()
        err.errorCode = 5; err.errorMessage = "not found"
        resp.messageResponse = .errorResponse(err)
        try check(resp, "reflection_response_error")
    }

    /// Payload states its size up front (knownEncodedSize); the bytes must be those of the
    /// generic reserve-and-backpatch path at every length-varint boundary, with open enum values.
    @Test(arguments: [0, 1, 127, 128, 16_383, 16_384, 70_000])
    func payloadWithKnownSizeEncodesAsTheGenericPath(size: Int) throws {
        for type in [0, 7, -1] as [Int32] {
            var payload = GRPCTesting.Payload()
            payload.type = .init(rawValue: type)
            payload.body = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
            var response = GRPCTesting.SimpleResponse()
            response.payload = payload
            response.username = "u"
            var generic = ProtoWriter()
            generic.writeNested(1) { payload.encodeFields(to: &$0) }
            generic.write(.string, 2, "u")
            let bytes = response.serializedBytes()
            #expect(bytes == generic.take(), "size \(size), type \(type)")
            #expect(try GRPCTesting.SimpleResponse(serializedBytes: bytes) == response)
        }
    }

    @Test func interopMessages() throws {
        var sr = GRPCTesting.SimpleRequest()
        sr.responseSize = 314159; sr.fillUsername = true; sr.fillOauthScope = true; sr.fillServerID = true
        sr.fillGrpclbRouteType = true
        sr.payload = .init(); sr.payload?.body = [UInt8](repeating: 0, count: 271828)
        sr.responseCompressed = .init(true)
        sr.responseStatus = .init(); sr.responseStatus?.code = 2; sr.responseStatus?.message = "test status message"
        sr.expectCompressed = .init(false)
        var orca = GRPCTesting.TestOrcaReport()
        orca.cpuUtilization = 0.5; orca.requestCost = ["b": 2, "a": 1]
        sr.orcaPerQueryReport = orca
        try check(sr, "simple_request")

        var so = GRPCTesting.StreamingOutputCallRequest()
        so.payload = .init(); so.payload?.body = [UInt8](repeating: 1, count: 10)
        so.responseParameters = ([31415, 9, 2653, 58979] as [Int32]).map { size in
            var p = GRPCTesting.ResponseParameters()
            p.size = size; p.intervalUs = 10
            return p
        }
        so.responseParameters[0].compressed = .init(true)
        try check(so, "streaming_output_call_request")

        var lb = GRPCTesting.LoadBalancerStatsResponse()
        lb.numFailures = 3; lb.rpcsByPeer = ["peer-b": 2, "peer-a": 1]
        var byPeer = GRPCTesting.LoadBalancerStatsResponse.RpcsByPeer()
        byPeer.rpcsByPeer = ["p": 4]
        lb.rpcsByMethod = ["UnaryCall": byPeer, "EmptyCall": .init()]
        try check(lb, "lb_stats_response")

        var stats = GRPCTesting.LoadBalancerAccumulatedStatsResponse.MethodStats()
        stats.rpcsStarted = 11; stats.result = [0: 10, -4: 1]
        var acc = GRPCTesting.LoadBalancerAccumulatedStatsResponse()
        acc.statsPerMethod = ["UNARY_CALL": stats]
        try check(acc, "lb_accumulated_stats")
    }

    @Test func nonCanonicalInputsDecodeToReferenceValues() throws {
        let merged = try AT(serializedBytes: Repo.goldenBytes("noncanon_duplicate_message_merges.bin"))
        #expect(merged.fNested == .init(a: 1, b: "x", c: [1, 2]))
        #expect(merged.choice == .cNested(.init(a: 7, b: "y")))
        let dup = try AT(serializedBytes: Repo.goldenBytes("noncanon_duplicate_scalar.bin"))
        #expect(dup.fInt32 == 2 && dup.fString == "second" && dup.fEnum == .green)
        let unpacked = try AT(serializedBytes: Repo.goldenBytes("noncanon_unpacked_repeated.bin"))
        #expect(unpacked.rInt32 == [-1, 300] && unpacked.rSint32 == [-64] && unpacked.rBool == [true])
        let mixed = try AT(serializedBytes: Repo.goldenBytes("noncanon_mixed_packing.bin"))
        #expect(mixed.rInt32 == [1, 2, 3, 4])
        let unknown = try AT.Nested(serializedBytes: Repo.goldenBytes("noncanon_unknown_fields.bin"))
        #expect(unknown == .init(a: 42, b: "kept"))
        let maps = try AT(serializedBytes: Repo.goldenBytes("noncanon_map_entries.bin"))
        #expect(maps.mStringInt32 == ["k": 2, "": 3, "novalue": 0])
        #expect(maps.mInt64Nested == [1: .init(a: 9)])
        let oneof = try AT(serializedBytes: Repo.goldenBytes("noncanon_oneof_last_arm_wins.bin"))
        #expect(oneof.choice == .cEnum(.green))
    }
}
