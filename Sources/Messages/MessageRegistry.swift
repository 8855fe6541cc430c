/// Every Swift message and enum type with a schema, so tests (the drift test) and the
/// reflection service can enumerate them. Add a type here when adding it to a codec file.
public enum MessageRegistry {
    public static let all: [any SchemaMessage.Type] = [
        GRPCHealthV1.HealthCheckRequest.self, GRPCHealthV1.HealthCheckResponse.self,
        GRPCReflection.ServerReflectionRequest.self, GRPCReflection.ExtensionRequest.self,
        GRPCReflection.ServerReflectionResponse.self, GRPCReflection.FileDescriptorResponse.self,
        GRPCReflection.ExtensionNumberResponse.self, GRPCReflection.ListServiceResponse.self,
        GRPCReflection.ServiceResponse.self, GRPCReflection.ErrorResponse.self,
        GRPCTesting.Empty.self, GRPCTesting.BoolValue.self, GRPCTesting.Payload.self, GRPCTesting.EchoStatus.self,
        GRPCTesting.SimpleRequest.self, GRPCTesting.SimpleResponse.self,
        GRPCTesting.StreamingInputCallRequest.self, GRPCTesting.StreamingInputCallResponse.self,
        GRPCTesting.ResponseParameters.self, GRPCTesting.StreamingOutputCallRequest.self,
        GRPCTesting.StreamingOutputCallResponse.self, GRPCTesting.ReconnectParams.self, GRPCTesting.ReconnectInfo.self,
        GRPCTesting.LoadBalancerStatsRequest.self, GRPCTesting.LoadBalancerStatsResponse.self,
        GRPCTesting.LoadBalancerStatsResponse.RpcsByPeer.self, GRPCTesting.LoadBalancerAccumulatedStatsRequest.self,
        GRPCTesting.LoadBalancerAccumulatedStatsResponse.self,
        GRPCTesting.LoadBalancerAccumulatedStatsResponse.MethodStats.self,
        GRPCTesting.ClientConfigureRequest.self, GRPCTesting.ClientConfigureRequest.Metadata.self,
        GRPCTesting.ClientConfigureResponse.self, GRPCTesting.TestOrcaReport.self, GRPCTesting.MemorySize.self,
        GoogleRPC.Status.self, GoogleRPC.ErrorInfo.self, GoogleRPC.RetryInfo.self, GoogleRPC.DebugInfo.self,
        GoogleRPC.QuotaFailure.self, GoogleRPC.QuotaFailure.Violation.self, GoogleRPC.PreconditionFailure.self,
        GoogleRPC.PreconditionFailure.Violation.self, GoogleRPC.BadRequest.self, GoogleRPC.BadRequest.FieldViolation.self,
        GoogleRPC.RequestInfo.self, GoogleRPC.ResourceInfo.self, GoogleRPC.Help.self, GoogleRPC.Help.Link.self,
        GoogleRPC.LocalizedMessage.self,
        GoogleProtobuf.Empty.self, GoogleProtobuf.Timestamp.self, GoogleProtobuf.Duration.self,
        GoogleProtobuf.`Any`.self, GoogleProtobuf.FieldMask.self, GoogleProtobuf.Struct.self,
        GoogleProtobuf.Value.self, GoogleProtobuf.ListValue.self,
        GoogleProtobuf.DoubleValue.self, GoogleProtobuf.FloatValue.self, GoogleProtobuf.Int64Value.self,
        GoogleProtobuf.UInt64Value.self, GoogleProtobuf.Int32Value.self, GoogleProtobuf.UInt32Value.self,
        GoogleProtobuf.BoolValue.self, GoogleProtobuf.StringValue.self, GoogleProtobuf.BytesValue.self,
        GoogleProtobuf.FileDescriptorSet.self, GoogleProtobuf.FileDescriptorProto.self,
        GoogleProtobuf.DescriptorProto.self, GoogleProtobuf.FieldDescriptorProto.self,
        GoogleProtobuf.OneofDescriptorProto.self, GoogleProtobuf.EnumDescriptorProto.self,
        GoogleProtobuf.EnumValueDescriptorProto.self, GoogleProtobuf.ServiceDescriptorProto.self,
        GoogleProtobuf.MethodDescriptorProto.self, GoogleProtobuf.MessageOptions.self,
        SpindleTesting.AllTypes.self, SpindleTesting.AllTypes.Nested.self,
        SpindleV1.Workflow.self, SpindleV1.WorkflowDefinition.self, SpindleV1.Step.self, SpindleV1.InputMapping.self,
        SpindleV1.RetryPolicy.self, SpindleV1.Fallback.self, SpindleV1.InputDeclaration.self, SpindleV1.Origin.self,
        SpindleV1.WorkflowVersion.self, SpindleV1.Template.self, SpindleV1.ValidationError.self,
        SpindleV1.PatchOperation.self, SpindleV1.OutputVariable.self,
        SpindleV1.CreateWorkflowRequest.self, SpindleV1.GetWorkflowRequest.self, SpindleV1.ListWorkflowsRequest.self,
        SpindleV1.ListWorkflowsResponse.self, SpindleV1.UpdateWorkflowRequest.self, SpindleV1.SetWorkflowStatusRequest.self,
        SpindleV1.ValidateWorkflowRequest.self, SpindleV1.ValidateWorkflowResponse.self,
        SpindleV1.DuplicateWorkflowRequest.self, SpindleV1.ResetWorkflowRequest.self, SpindleV1.DeleteWorkflowRequest.self,
        SpindleV1.PurgeWorkflowRequest.self, SpindleV1.PurgeWorkflowResponse.self,
        SpindleV1.ListStepsRequest.self, SpindleV1.ListStepsResponse.self, SpindleV1.AddStepRequest.self,
        SpindleV1.RemoveStepRequest.self, SpindleV1.RemoveStepResponse.self,
        SpindleV1.GetOutputVariablesRequest.self, SpindleV1.GetOutputVariablesResponse.self,
        SpindleV1.ListVersionsRequest.self, SpindleV1.ListVersionsResponse.self, SpindleV1.GetVersionRequest.self,
        SpindleV1.DiffVersionsRequest.self, SpindleV1.DiffVersionsResponse.self, SpindleV1.RollbackWorkflowRequest.self,
        SpindleV1.ListTemplatesRequest.self, SpindleV1.ListTemplatesResponse.self, SpindleV1.GetTemplateRequest.self,
        SpindleV1.InstallTemplateRequest.self, SpindleV1.SaveAsTemplateRequest.self,
        SpindleV1.UploadFileMetadata.self, SpindleV1.UploadFilesRequest.self, SpindleV1.UploadFilesResponse.self,
        SpindleV1.StepError.self, SpindleV1.StepRun.self, SpindleV1.PauseInfo.self, SpindleV1.Run.self,
        SpindleV1.RunEvent.self, SpindleV1.PauseRecord.self, SpindleV1.Schedule.self, SpindleV1.BatchRow.self,
        SpindleV1.BatchRun.self,
        SpindleV1.RunWorkflowRequest.self, SpindleV1.StartRunRequest.self, SpindleV1.RunPartialRequest.self,
        SpindleV1.StartBatchRunRequest.self, SpindleV1.GetBatchRunRequest.self, SpindleV1.DownloadFileRequest.self,
        SpindleV1.DownloadFileResponse.self, SpindleV1.ListRunsRequest.self, SpindleV1.ListRunsResponse.self,
        SpindleV1.GetRunRequest.self, SpindleV1.CancelRunRequest.self, SpindleV1.DeleteRunRequest.self,
        SpindleV1.DeleteRunResponse.self, SpindleV1.ResumeRunRequest.self, SpindleV1.ListPausedRunsRequest.self,
        SpindleV1.ListPausedRunsResponse.self, SpindleV1.GetPauseHistoryRequest.self,
        SpindleV1.GetPauseHistoryResponse.self, SpindleV1.ProcessPauseActionRequest.self,
        SpindleV1.CreateScheduleRequest.self, SpindleV1.ListSchedulesRequest.self, SpindleV1.ListSchedulesResponse.self,
        SpindleV1.PauseScheduleRequest.self, SpindleV1.DeleteScheduleRequest.self, SpindleV1.DeleteScheduleResponse.self,
        SpindleV1.WatchRunRequest.self, SpindleV1.WatchRunsRequest.self, SpindleV1.WatchRunsResponse.self,
        SpindleV1.TaskNote.self,
        SpindleV1.WorkerMessage.self, SpindleV1.ServerMessage.self, SpindleV1.WorkerHello.self, SpindleV1.HeldTask.self,
        SpindleV1.WorkerCredit.self, SpindleV1.TaskHeartbeat.self, SpindleV1.TaskResult.self, SpindleV1.TaskFailure.self,
        SpindleV1.WorkerWelcome.self, SpindleV1.Task.self, SpindleV1.TaskCancel.self, SpindleV1.TaskAck.self,
        SpindleV1.ListQueuesRequest.self, SpindleV1.ListQueuesResponse.self, SpindleV1.DescribeQueueRequest.self,
        SpindleV1.QueueInfo.self, SpindleV1.WorkerInfo.self,
    ]

    public static let enums: [any SchemaEnum.Type] = [
        GRPCHealthV1.HealthCheckResponse.ServingStatus.self, GRPCTesting.PayloadType.self,
        GRPCTesting.GrpclbRouteType.self, GRPCTesting.ClientConfigureRequest.RpcType.self,
        GoogleProtobuf.NullValue.self, GoogleProtobuf.FieldDescriptorProto.ProtoType.self,
        GoogleProtobuf.FieldDescriptorProto.Label.self, SpindleTesting.Color.self,
        SpindleV1.WorkflowStatus.self, SpindleV1.TriggerType.self, SpindleV1.WorkflowKind.self, SpindleV1.InputType.self,
        SpindleV1.ValidationCode.self, SpindleV1.FilePurpose.self,
        SpindleV1.RunStatus.self, SpindleV1.StepStatus.self, SpindleV1.RunTrigger.self, SpindleV1.RunEventType.self,
        SpindleV1.PauseAction.self, SpindleV1.CatchUpPolicy.self, SpindleV1.BatchStatus.self,
    ]

    /// Looks a message type up by fully qualified proto name (or alias).
    public static func message(named name: String) -> (any SchemaMessage.Type)? {
        byName[name]
    }

    static let byName: [String: any SchemaMessage.Type] = {
        var table: [String: any SchemaMessage.Type] = [:]
        for type in all {
            for name in [type.protoName] + type.aliasNames { table[name] = type }
        }
        return table
    }()
}
