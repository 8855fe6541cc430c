from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from spindle_client.spindle.v1 import workflow_pb2 as _workflow_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateWorkflowRequest(_message.Message):
    __slots__ = ("workflow", "request_id", "start", "start_inputs")
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    START_INPUTS_FIELD_NUMBER: _ClassVar[int]
    workflow: _workflow_pb2.Workflow
    request_id: str
    start: bool
    start_inputs: _struct_pb2.Struct
    def __init__(self, workflow: _Optional[_Union[_workflow_pb2.Workflow, _Mapping]] = ..., request_id: _Optional[str] = ..., start: _Optional[bool] = ..., start_inputs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetWorkflowRequest(_message.Message):
    __slots__ = ("workflow_id",)
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    def __init__(self, workflow_id: _Optional[str] = ...) -> None: ...

class ListWorkflowsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "status", "tag", "trigger_type", "name_contains", "include_deleted")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DELETED_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status: _workflow_pb2.WorkflowStatus
    tag: str
    trigger_type: _workflow_pb2.TriggerType
    name_contains: str
    include_deleted: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status: _Optional[_Union[_workflow_pb2.WorkflowStatus, str]] = ..., tag: _Optional[str] = ..., trigger_type: _Optional[_Union[_workflow_pb2.TriggerType, str]] = ..., name_contains: _Optional[str] = ..., include_deleted: _Optional[bool] = ...) -> None: ...

class ListWorkflowsResponse(_message.Message):
    __slots__ = ("workflows", "next_page_token")
    WORKFLOWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    workflows: _containers.RepeatedCompositeFieldContainer[_workflow_pb2.Workflow]
    next_page_token: str
    def __init__(self, workflows: _Optional[_Iterable[_Union[_workflow_pb2.Workflow, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateWorkflowRequest(_message.Message):
    __slots__ = ("workflow_id", "definition", "change_summary", "metadata", "update_mask", "expected_etag")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    CHANGE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ETAG_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    definition: _workflow_pb2.WorkflowDefinition
    change_summary: str
    metadata: _workflow_pb2.Workflow
    update_mask: _field_mask_pb2.FieldMask
    expected_etag: str
    def __init__(self, workflow_id: _Optional[str] = ..., definition: _Optional[_Union[_workflow_pb2.WorkflowDefinition, _Mapping]] = ..., change_summary: _Optional[str] = ..., metadata: _Optional[_Union[_workflow_pb2.Workflow, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., expected_etag: _Optional[str] = ...) -> None: ...

class SetWorkflowStatusRequest(_message.Message):
    __slots__ = ("workflow_id", "status", "expected_etag")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ETAG_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    status: _workflow_pb2.WorkflowStatus
    expected_etag: str
    def __init__(self, workflow_id: _Optional[str] = ..., status: _Optional[_Union[_workflow_pb2.WorkflowStatus, str]] = ..., expected_etag: _Optional[str] = ...) -> None: ...

class ValidateWorkflowRequest(_message.Message):
    __slots__ = ("definition", "workflow_id", "inputs")
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    definition: _workflow_pb2.WorkflowDefinition
    workflow_id: str
    inputs: _containers.RepeatedCompositeFieldContainer[_workflow_pb2.InputDeclaration]
    def __init__(self, definition: _Optional[_Union[_workflow_pb2.WorkflowDefinition, _Mapping]] = ..., workflow_id: _Optional[str] = ..., inputs: _Optional[_Iterable[_Union[_workflow_pb2.InputDeclaration, _Mapping]]] = ...) -> None: ...

class ValidateWorkflowResponse(_message.Message):
    __slots__ = ("valid", "errors")
    VALID_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    errors: _containers.RepeatedCompositeFieldContainer[_workflow_pb2.ValidationError]
    def __init__(self, valid: _Optional[bool] = ..., errors: _Optional[_Iterable[_Union[_workflow_pb2.ValidationError, _Mapping]]] = ...) -> None: ...

class DuplicateWorkflowRequest(_message.Message):
    __slots__ = ("workflow_id", "name")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    name: str
    def __init__(self, workflow_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ResetWorkflowRequest(_message.Message):
    __slots__ = ("workflow_id", "expected_etag")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ETAG_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    expected_etag: str
    def __init__(self, workflow_id: _Optional[str] = ..., expected_etag: _Optional[str] = ...) -> None: ...

class DeleteWorkflowRequest(_message.Message):
    __slots__ = ("workflow_id", "expected_etag")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ETAG_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    expected_etag: str
    def __init__(self, workflow_id: _Optional[str] = ..., expected_etag: _Optional[str] = ...) -> None: ...

class PurgeWorkflowRequest(_message.Message):
    __slots__ = ("workflow_id",)
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    def __init__(self, workflow_id: _Optional[str] = ...) -> None: ...

class PurgeWorkflowResponse(_message.Message):
    __slots__ = ("workflow_id", "versions_removed", "files_removed", "bytes_removed", "runs_removed", "schedules_removed", "runs_canceled")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_REMOVED_FIELD_NUMBER: _ClassVar[int]
    FILES_REMOVED_FIELD_NUMBER: _ClassVar[int]
    BYTES_REMOVED_FIELD_NUMBER: _ClassVar[int]
    RUNS_REMOVED_FIELD_NUMBER: _ClassVar[int]
    SCHEDULES_REMOVED_FIELD_NUMBER: _ClassVar[int]
    RUNS_CANCELED_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    versions_removed: int
    files_removed: int
    bytes_removed: int
    runs_removed: int
    schedules_removed: int
    runs_canceled: int
    def __init__(self, workflow_id: _Optional[str] = ..., versions_removed: _Optional[int] = ..., files_removed: _Optional[int] = ..., bytes_removed: _Optional[int] = ..., runs_removed: _Optional[int] = ..., schedules_removed: _Optional[int] = ..., runs_canceled: _Optional[int] = ...) -> None: ...

class ListStepsRequest(_message.Message):
    __slots__ = ("workflow_id", "version")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    version: int
    def __init__(self, workflow_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ListStepsResponse(_message.Message):
    __slots__ = ("steps",)
    STEPS_FIELD_NUMBER: _ClassVar[int]
    steps: _containers.RepeatedCompositeFieldContainer[_workflow_pb2.Step]
    def __init__(self, steps: _Optional[_Iterable[_Union[_workflow_pb2.Step, _Mapping]]] = ...) -> None: ...

class AddStepRequest(_message.Message):
    __slots__ = ("workflow_id", "step", "change_summary", "expected_etag")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    CHANGE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ETAG_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    step: _workflow_pb2.Step
    change_summary: str
    expected_etag: str
    def __init__(self, workflow_id: _Optional[str] = ..., step: _Optional[_Union[_workflow_pb2.Step, _Mapping]] = ..., change_summary: _Optional[str] = ..., expected_etag: _Optional[str] = ...) -> None: ...

class RemoveStepRequest(_message.Message):
    __slots__ = ("workflow_id", "step_id", "cascade", "change_summary", "expected_etag")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    CASCADE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ETAG_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    step_id: str
    cascade: bool
    change_summary: str
    expected_etag: str
    def __init__(self, workflow_id: _Optional[str] = ..., step_id: _Optional[str] = ..., cascade: _Optional[bool] = ..., change_summary: _Optional[str] = ..., expected_etag: _Optional[str] = ...) -> None: ...

class RemoveStepResponse(_message.Message):
    __slots__ = ("workflow", "removed_step_ids")
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    REMOVED_STEP_IDS_FIELD_NUMBER: _ClassVar[int]
    workflow: _workflow_pb2.Workflow
    removed_step_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, workflow: _Optional[_Union[_workflow_pb2.Workflow, _Mapping]] = ..., removed_step_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetOutputVariablesRequest(_message.Message):
    __slots__ = ("workflow_id", "version")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    version: int
    def __init__(self, workflow_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetOutputVariablesResponse(_message.Message):
    __slots__ = ("variables",)
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    variables: _containers.RepeatedCompositeFieldContainer[_workflow_pb2.OutputVariable]
    def __init__(self, variables: _Optional[_Iterable[_Union[_workflow_pb2.OutputVariable, _Mapping]]] = ...) -> None: ...

class ListVersionsRequest(_message.Message):
    __slots__ = ("workflow_id", "page_size", "page_token")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    page_size: int
    page_token: str
    def __init__(self, workflow_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVersionsResponse(_message.Message):
    __slots__ = ("versions", "next_page_token")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[_workflow_pb2.WorkflowVersion]
    next_page_token: str
    def __init__(self, versions: _Optional[_Iterable[_Union[_workflow_pb2.WorkflowVersion, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetVersionRequest(_message.Message):
    __slots__ = ("workflow_id", "version")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    version: int
    def __init__(self, workflow_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class DiffVersionsRequest(_message.Message):
    __slots__ = ("workflow_id", "from_version", "to_version")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    from_version: int
    to_version: int
    def __init__(self, workflow_id: _Optional[str] = ..., from_version: _Optional[int] = ..., to_version: _Optional[int] = ...) -> None: ...

class DiffVersionsResponse(_message.Message):
    __slots__ = ("operations", "summary", "from_version", "to_version")
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    operations: _containers.RepeatedCompositeFieldContainer[_workflow_pb2.PatchOperation]
    summary: str
    from_version: int
    to_version: int
    def __init__(self, operations: _Optional[_Iterable[_Union[_workflow_pb2.PatchOperation, _Mapping]]] = ..., summary: _Optional[str] = ..., from_version: _Optional[int] = ..., to_version: _Optional[int] = ...) -> None: ...

class RollbackWorkflowRequest(_message.Message):
    __slots__ = ("workflow_id", "to_version", "change_summary", "expected_etag")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANGE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ETAG_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    to_version: int
    change_summary: str
    expected_etag: str
    def __init__(self, workflow_id: _Optional[str] = ..., to_version: _Optional[int] = ..., change_summary: _Optional[str] = ..., expected_etag: _Optional[str] = ...) -> None: ...

class ListTemplatesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "tag")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    tag: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., tag: _Optional[str] = ...) -> None: ...

class ListTemplatesResponse(_message.Message):
    __slots__ = ("templates", "next_page_token")
    TEMPLATES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    templates: _containers.RepeatedCompositeFieldContainer[_workflow_pb2.Template]
    next_page_token: str
    def __init__(self, templates: _Optional[_Iterable[_Union[_workflow_pb2.Template, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetTemplateRequest(_message.Message):
    __slots__ = ("template_id",)
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    def __init__(self, template_id: _Optional[str] = ...) -> None: ...

class InstallTemplateRequest(_message.Message):
    __slots__ = ("template_id", "name")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    name: str
    def __init__(self, template_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class SaveAsTemplateRequest(_message.Message):
    __slots__ = ("workflow_id", "template_id", "name", "description", "tags")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    template_id: str
    name: str
    description: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, workflow_id: _Optional[str] = ..., template_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ...) -> None: ...

class UploadFileMetadata(_message.Message):
    __slots__ = ("workflow_id", "step_id", "file_name", "content_type", "purpose")
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    step_id: str
    file_name: str
    content_type: str
    purpose: _workflow_pb2.FilePurpose
    def __init__(self, workflow_id: _Optional[str] = ..., step_id: _Optional[str] = ..., file_name: _Optional[str] = ..., content_type: _Optional[str] = ..., purpose: _Optional[_Union[_workflow_pb2.FilePurpose, str]] = ...) -> None: ...

class UploadFilesRequest(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: UploadFileMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[UploadFileMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class UploadFilesResponse(_message.Message):
    __slots__ = ("file_id", "size", "sha256")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    size: int
    sha256: str
    def __init__(self, file_id: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...
