import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WorkflowStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WORKFLOW_STATUS_UNSPECIFIED: _ClassVar[WorkflowStatus]
    WORKFLOW_STATUS_DRAFT: _ClassVar[WorkflowStatus]
    WORKFLOW_STATUS_ACTIVE: _ClassVar[WorkflowStatus]
    WORKFLOW_STATUS_PAUSED: _ClassVar[WorkflowStatus]
    WORKFLOW_STATUS_ARCHIVED: _ClassVar[WorkflowStatus]

class TriggerType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRIGGER_TYPE_UNSPECIFIED: _ClassVar[TriggerType]
    TRIGGER_TYPE_MANUAL: _ClassVar[TriggerType]
    TRIGGER_TYPE_SCHEDULE: _ClassVar[TriggerType]
    TRIGGER_TYPE_WEBHOOK: _ClassVar[TriggerType]
    TRIGGER_TYPE_EVENT: _ClassVar[TriggerType]

class WorkflowKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WORKFLOW_KIND_UNSPECIFIED: _ClassVar[WorkflowKind]
    WORKFLOW_KIND_WORKFLOW: _ClassVar[WorkflowKind]
    WORKFLOW_KIND_CHATBOT: _ClassVar[WorkflowKind]
    WORKFLOW_KIND_AGENT: _ClassVar[WorkflowKind]

class InputType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INPUT_TYPE_UNSPECIFIED: _ClassVar[InputType]
    INPUT_TYPE_STRING: _ClassVar[InputType]
    INPUT_TYPE_NUMBER: _ClassVar[InputType]
    INPUT_TYPE_INTEGER: _ClassVar[InputType]
    INPUT_TYPE_BOOLEAN: _ClassVar[InputType]
    INPUT_TYPE_OBJECT: _ClassVar[InputType]
    INPUT_TYPE_ARRAY: _ClassVar[InputType]
    INPUT_TYPE_FILE: _ClassVar[InputType]

class ValidationCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VALIDATION_CODE_UNSPECIFIED: _ClassVar[ValidationCode]
    VALIDATION_CODE_EMPTY_STEP_ID: _ClassVar[ValidationCode]
    VALIDATION_CODE_INVALID_STEP_ID: _ClassVar[ValidationCode]
    VALIDATION_CODE_DUPLICATE_STEP_ID: _ClassVar[ValidationCode]
    VALIDATION_CODE_UNKNOWN_STEP_TYPE: _ClassVar[ValidationCode]
    VALIDATION_CODE_MISSING_REQUIRED_CONFIG: _ClassVar[ValidationCode]
    VALIDATION_CODE_UNKNOWN_DEPENDENCY: _ClassVar[ValidationCode]
    VALIDATION_CODE_SELF_DEPENDENCY: _ClassVar[ValidationCode]
    VALIDATION_CODE_CYCLE: _ClassVar[ValidationCode]
    VALIDATION_CODE_MAPPING_UNKNOWN_STEP: _ClassVar[ValidationCode]
    VALIDATION_CODE_MAPPING_NOT_UPSTREAM: _ClassVar[ValidationCode]
    VALIDATION_CODE_INVALID_RETRY: _ClassVar[ValidationCode]
    VALIDATION_CODE_STEP_ORDER_MISMATCH: _ClassVar[ValidationCode]
    VALIDATION_CODE_INVALID_INPUT: _ClassVar[ValidationCode]
    VALIDATION_CODE_INVALID_BRANCH: _ClassVar[ValidationCode]

class FilePurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FILE_PURPOSE_UNSPECIFIED: _ClassVar[FilePurpose]
    FILE_PURPOSE_TEST_FILE: _ClassVar[FilePurpose]
    FILE_PURPOSE_DATASET: _ClassVar[FilePurpose]
WORKFLOW_STATUS_UNSPECIFIED: WorkflowStatus
WORKFLOW_STATUS_DRAFT: WorkflowStatus
WORKFLOW_STATUS_ACTIVE: WorkflowStatus
WORKFLOW_STATUS_PAUSED: WorkflowStatus
WORKFLOW_STATUS_ARCHIVED: WorkflowStatus
TRIGGER_TYPE_UNSPECIFIED: TriggerType
TRIGGER_TYPE_MANUAL: TriggerType
TRIGGER_TYPE_SCHEDULE: TriggerType
TRIGGER_TYPE_WEBHOOK: TriggerType
TRIGGER_TYPE_EVENT: TriggerType
WORKFLOW_KIND_UNSPECIFIED: WorkflowKind
WORKFLOW_KIND_WORKFLOW: WorkflowKind
WORKFLOW_KIND_CHATBOT: WorkflowKind
WORKFLOW_KIND_AGENT: WorkflowKind
INPUT_TYPE_UNSPECIFIED: InputType
INPUT_TYPE_STRING: InputType
INPUT_TYPE_NUMBER: InputType
INPUT_TYPE_INTEGER: InputType
INPUT_TYPE_BOOLEAN: InputType
INPUT_TYPE_OBJECT: InputType
INPUT_TYPE_ARRAY: InputType
INPUT_TYPE_FILE: InputType
VALIDATION_CODE_UNSPECIFIED: ValidationCode
VALIDATION_CODE_EMPTY_STEP_ID: ValidationCode
VALIDATION_CODE_INVALID_STEP_ID: ValidationCode
VALIDATION_CODE_DUPLICATE_STEP_ID: ValidationCode
VALIDATION_CODE_UNKNOWN_STEP_TYPE: ValidationCode
VALIDATION_CODE_MISSING_REQUIRED_CONFIG: ValidationCode
VALIDATION_CODE_UNKNOWN_DEPENDENCY: ValidationCode
VALIDATION_CODE_SELF_DEPENDENCY: ValidationCode
VALIDATION_CODE_CYCLE: ValidationCode
VALIDATION_CODE_MAPPING_UNKNOWN_STEP: ValidationCode
VALIDATION_CODE_MAPPING_NOT_UPSTREAM: ValidationCode
VALIDATION_CODE_INVALID_RETRY: ValidationCode
VALIDATION_CODE_STEP_ORDER_MISMATCH: ValidationCode
VALIDATION_CODE_INVALID_INPUT: ValidationCode
VALIDATION_CODE_INVALID_BRANCH: ValidationCode
FILE_PURPOSE_UNSPECIFIED: FilePurpose
FILE_PURPOSE_TEST_FILE: FilePurpose
FILE_PURPOSE_DATASET: FilePurpose

class Workflow(_message.Message):
    __slots__ = ("id", "tenant_id", "name", "description", "tags", "status", "trigger_type", "kind", "inputs", "config", "webhook_url", "origin", "test_inputs", "definition", "created_at", "updated_at", "current_version", "etag", "deleted", "deleted_at", "started_run_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_TYPE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_URL_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    TEST_INPUTS_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    DELETED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    tenant_id: str
    name: str
    description: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    status: WorkflowStatus
    trigger_type: TriggerType
    kind: WorkflowKind
    inputs: _containers.RepeatedCompositeFieldContainer[InputDeclaration]
    config: _struct_pb2.Struct
    webhook_url: str
    origin: Origin
    test_inputs: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    definition: WorkflowDefinition
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    current_version: int
    etag: str
    deleted: bool
    deleted_at: _timestamp_pb2.Timestamp
    started_run_id: str
    def __init__(self, id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., status: _Optional[_Union[WorkflowStatus, str]] = ..., trigger_type: _Optional[_Union[TriggerType, str]] = ..., kind: _Optional[_Union[WorkflowKind, str]] = ..., inputs: _Optional[_Iterable[_Union[InputDeclaration, _Mapping]]] = ..., config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., webhook_url: _Optional[str] = ..., origin: _Optional[_Union[Origin, _Mapping]] = ..., test_inputs: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., definition: _Optional[_Union[WorkflowDefinition, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., current_version: _Optional[int] = ..., etag: _Optional[str] = ..., deleted: _Optional[bool] = ..., deleted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_run_id: _Optional[str] = ...) -> None: ...

class WorkflowDefinition(_message.Message):
    __slots__ = ("steps", "step_order")
    STEPS_FIELD_NUMBER: _ClassVar[int]
    STEP_ORDER_FIELD_NUMBER: _ClassVar[int]
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    step_order: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ..., step_order: _Optional[_Iterable[str]] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("id", "name", "type", "config", "depends_on", "input_mappings", "retry", "timeout", "fallback")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    DEPENDS_ON_FIELD_NUMBER: _ClassVar[int]
    INPUT_MAPPINGS_FIELD_NUMBER: _ClassVar[int]
    RETRY_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    type: str
    config: _struct_pb2.Struct
    depends_on: _containers.RepeatedScalarFieldContainer[str]
    input_mappings: _containers.RepeatedCompositeFieldContainer[InputMapping]
    retry: RetryPolicy
    timeout: _duration_pb2.Duration
    fallback: Fallback
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., depends_on: _Optional[_Iterable[str]] = ..., input_mappings: _Optional[_Iterable[_Union[InputMapping, _Mapping]]] = ..., retry: _Optional[_Union[RetryPolicy, _Mapping]] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., fallback: _Optional[_Union[Fallback, _Mapping]] = ...) -> None: ...

class InputMapping(_message.Message):
    __slots__ = ("from_step", "from_field", "to_field", "transform")
    FROM_STEP_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_FIELD_NUMBER: _ClassVar[int]
    TRANSFORM_FIELD_NUMBER: _ClassVar[int]
    from_step: str
    from_field: str
    to_field: str
    transform: str
    def __init__(self, from_step: _Optional[str] = ..., from_field: _Optional[str] = ..., to_field: _Optional[str] = ..., transform: _Optional[str] = ...) -> None: ...

class RetryPolicy(_message.Message):
    __slots__ = ("max_attempts", "initial_backoff", "max_backoff", "backoff_multiplier", "retryable_errors")
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    INITIAL_BACKOFF_FIELD_NUMBER: _ClassVar[int]
    MAX_BACKOFF_FIELD_NUMBER: _ClassVar[int]
    BACKOFF_MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_ERRORS_FIELD_NUMBER: _ClassVar[int]
    max_attempts: int
    initial_backoff: _duration_pb2.Duration
    max_backoff: _duration_pb2.Duration
    backoff_multiplier: _wrappers_pb2.DoubleValue
    retryable_errors: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, max_attempts: _Optional[int] = ..., initial_backoff: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_backoff: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., backoff_multiplier: _Optional[_Union[_wrappers_pb2.DoubleValue, _Mapping]] = ..., retryable_errors: _Optional[_Iterable[str]] = ...) -> None: ...

class Fallback(_message.Message):
    __slots__ = ("type", "config")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    type: str
    config: _struct_pb2.Struct
    def __init__(self, type: _Optional[str] = ..., config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class InputDeclaration(_message.Message):
    __slots__ = ("name", "type", "required", "default_value", "description")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: InputType
    required: bool
    default_value: _struct_pb2.Value
    description: str
    def __init__(self, name: _Optional[str] = ..., type: _Optional[_Union[InputType, str]] = ..., required: _Optional[bool] = ..., default_value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., description: _Optional[str] = ...) -> None: ...

class Origin(_message.Message):
    __slots__ = ("instance", "zone", "reference")
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    ZONE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    instance: str
    zone: str
    reference: str
    def __init__(self, instance: _Optional[str] = ..., zone: _Optional[str] = ..., reference: _Optional[str] = ...) -> None: ...

class WorkflowVersion(_message.Message):
    __slots__ = ("number", "change_summary", "definition_hash", "created_at", "definition")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    CHANGE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_HASH_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    number: int
    change_summary: str
    definition_hash: str
    created_at: _timestamp_pb2.Timestamp
    definition: WorkflowDefinition
    def __init__(self, number: _Optional[int] = ..., change_summary: _Optional[str] = ..., definition_hash: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., definition: _Optional[_Union[WorkflowDefinition, _Mapping]] = ...) -> None: ...

class Template(_message.Message):
    __slots__ = ("id", "name", "description", "definition", "inputs", "tags")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    description: str
    definition: WorkflowDefinition
    inputs: _containers.RepeatedCompositeFieldContainer[InputDeclaration]
    tags: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., definition: _Optional[_Union[WorkflowDefinition, _Mapping]] = ..., inputs: _Optional[_Iterable[_Union[InputDeclaration, _Mapping]]] = ..., tags: _Optional[_Iterable[str]] = ...) -> None: ...

class ValidationError(_message.Message):
    __slots__ = ("step_id", "field", "code", "message")
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    step_id: str
    field: str
    code: ValidationCode
    message: str
    def __init__(self, step_id: _Optional[str] = ..., field: _Optional[str] = ..., code: _Optional[_Union[ValidationCode, str]] = ..., message: _Optional[str] = ...) -> None: ...

class PatchOperation(_message.Message):
    __slots__ = ("op", "path", "value")
    OP_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    op: str
    path: str
    value: _struct_pb2.Value
    def __init__(self, op: _Optional[str] = ..., path: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., **kwargs) -> None: ...

class OutputVariable(_message.Message):
    __slots__ = ("step_id", "variable", "name")
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    VARIABLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    step_id: str
    variable: str
    name: str
    def __init__(self, step_id: _Optional[str] = ..., variable: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...
