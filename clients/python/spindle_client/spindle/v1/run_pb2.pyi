import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RunStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_STATUS_UNSPECIFIED: _ClassVar[RunStatus]
    RUN_STATUS_QUEUED: _ClassVar[RunStatus]
    RUN_STATUS_RUNNING: _ClassVar[RunStatus]
    RUN_STATUS_PAUSED: _ClassVar[RunStatus]
    RUN_STATUS_COMPLETED: _ClassVar[RunStatus]
    RUN_STATUS_FAILED: _ClassVar[RunStatus]
    RUN_STATUS_CANCELED: _ClassVar[RunStatus]

class StepStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STEP_STATUS_UNSPECIFIED: _ClassVar[StepStatus]
    STEP_STATUS_PENDING: _ClassVar[StepStatus]
    STEP_STATUS_RUNNING: _ClassVar[StepStatus]
    STEP_STATUS_RETRYING: _ClassVar[StepStatus]
    STEP_STATUS_PAUSED: _ClassVar[StepStatus]
    STEP_STATUS_COMPLETED: _ClassVar[StepStatus]
    STEP_STATUS_FAILED: _ClassVar[StepStatus]
    STEP_STATUS_SKIPPED: _ClassVar[StepStatus]
    STEP_STATUS_CANCELED: _ClassVar[StepStatus]

class RunTrigger(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_TRIGGER_UNSPECIFIED: _ClassVar[RunTrigger]
    RUN_TRIGGER_MANUAL: _ClassVar[RunTrigger]
    RUN_TRIGGER_SCHEDULE: _ClassVar[RunTrigger]
    RUN_TRIGGER_BATCH: _ClassVar[RunTrigger]
    RUN_TRIGGER_PARTIAL: _ClassVar[RunTrigger]
    RUN_TRIGGER_SUBWORKFLOW: _ClassVar[RunTrigger]

class RunEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_EVENT_TYPE_UNSPECIFIED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_RUN_QUEUED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_RUN_STARTED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_RUN_PAUSED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_RUN_RESUMED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_RUN_COMPLETED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_RUN_FAILED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_RUN_CANCELED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_STEP_STARTED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_STEP_RETRYING: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_STEP_COMPLETED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_STEP_FAILED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_STEP_SKIPPED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_STEP_PAUSED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_STEP_CANCELED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_PAUSE_ACTION: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_TASK_DISPATCHED: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_STEP_PROGRESS: _ClassVar[RunEventType]
    RUN_EVENT_TYPE_TASK_RESULT_REFUSED: _ClassVar[RunEventType]

class PauseAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAUSE_ACTION_UNSPECIFIED: _ClassVar[PauseAction]
    PAUSE_ACTION_APPROVE: _ClassVar[PauseAction]
    PAUSE_ACTION_DECLINE: _ClassVar[PauseAction]
    PAUSE_ACTION_OVERRIDE: _ClassVar[PauseAction]

class CatchUpPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CATCH_UP_POLICY_UNSPECIFIED: _ClassVar[CatchUpPolicy]
    CATCH_UP_POLICY_SKIP: _ClassVar[CatchUpPolicy]
    CATCH_UP_POLICY_LATEST: _ClassVar[CatchUpPolicy]
    CATCH_UP_POLICY_ALL: _ClassVar[CatchUpPolicy]

class BatchStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BATCH_STATUS_UNSPECIFIED: _ClassVar[BatchStatus]
    BATCH_STATUS_RUNNING: _ClassVar[BatchStatus]
    BATCH_STATUS_COMPLETED: _ClassVar[BatchStatus]
    BATCH_STATUS_CANCELED: _ClassVar[BatchStatus]
RUN_STATUS_UNSPECIFIED: RunStatus
RUN_STATUS_QUEUED: RunStatus
RUN_STATUS_RUNNING: RunStatus
RUN_STATUS_PAUSED: RunStatus
RUN_STATUS_COMPLETED: RunStatus
RUN_STATUS_FAILED: RunStatus
RUN_STATUS_CANCELED: RunStatus
STEP_STATUS_UNSPECIFIED: StepStatus
STEP_STATUS_PENDING: StepStatus
STEP_STATUS_RUNNING: StepStatus
STEP_STATUS_RETRYING: StepStatus
STEP_STATUS_PAUSED: StepStatus
STEP_STATUS_COMPLETED: StepStatus
STEP_STATUS_FAILED: StepStatus
STEP_STATUS_SKIPPED: StepStatus
STEP_STATUS_CANCELED: StepStatus
RUN_TRIGGER_UNSPECIFIED: RunTrigger
RUN_TRIGGER_MANUAL: RunTrigger
RUN_TRIGGER_SCHEDULE: RunTrigger
RUN_TRIGGER_BATCH: RunTrigger
RUN_TRIGGER_PARTIAL: RunTrigger
RUN_TRIGGER_SUBWORKFLOW: RunTrigger
RUN_EVENT_TYPE_UNSPECIFIED: RunEventType
RUN_EVENT_TYPE_RUN_QUEUED: RunEventType
RUN_EVENT_TYPE_RUN_STARTED: RunEventType
RUN_EVENT_TYPE_RUN_PAUSED: RunEventType
RUN_EVENT_TYPE_RUN_RESUMED: RunEventType
RUN_EVENT_TYPE_RUN_COMPLETED: RunEventType
RUN_EVENT_TYPE_RUN_FAILED: RunEventType
RUN_EVENT_TYPE_RUN_CANCELED: RunEventType
RUN_EVENT_TYPE_STEP_STARTED: RunEventType
RUN_EVENT_TYPE_STEP_RETRYING: RunEventType
RUN_EVENT_TYPE_STEP_COMPLETED: RunEventType
RUN_EVENT_TYPE_STEP_FAILED: RunEventType
RUN_EVENT_TYPE_STEP_SKIPPED: RunEventType
RUN_EVENT_TYPE_STEP_PAUSED: RunEventType
RUN_EVENT_TYPE_STEP_CANCELED: RunEventType
RUN_EVENT_TYPE_PAUSE_ACTION: RunEventType
RUN_EVENT_TYPE_TASK_DISPATCHED: RunEventType
RUN_EVENT_TYPE_STEP_PROGRESS: RunEventType
RUN_EVENT_TYPE_TASK_RESULT_REFUSED: RunEventType
PAUSE_ACTION_UNSPECIFIED: PauseAction
PAUSE_ACTION_APPROVE: PauseAction
PAUSE_ACTION_DECLINE: PauseAction
PAUSE_ACTION_OVERRIDE: PauseAction
CATCH_UP_POLICY_UNSPECIFIED: CatchUpPolicy
CATCH_UP_POLICY_SKIP: CatchUpPolicy
CATCH_UP_POLICY_LATEST: CatchUpPolicy
CATCH_UP_POLICY_ALL: CatchUpPolicy
BATCH_STATUS_UNSPECIFIED: BatchStatus
BATCH_STATUS_RUNNING: BatchStatus
BATCH_STATUS_COMPLETED: BatchStatus
BATCH_STATUS_CANCELED: BatchStatus

class StepError(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class StepRun(_message.Message):
    __slots__ = ("step_id", "type", "status", "attempts", "input", "output", "error", "started_at", "finished_at", "next_attempt_at", "used_fallback", "child_run_id", "wake_at", "worker_id", "progress")
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    USED_FALLBACK_FIELD_NUMBER: _ClassVar[int]
    CHILD_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    WAKE_AT_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    step_id: str
    type: str
    status: StepStatus
    attempts: int
    input: _struct_pb2.Value
    output: _struct_pb2.Value
    error: StepError
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    next_attempt_at: _timestamp_pb2.Timestamp
    used_fallback: bool
    child_run_id: str
    wake_at: _timestamp_pb2.Timestamp
    worker_id: str
    progress: _struct_pb2.Value
    def __init__(self, step_id: _Optional[str] = ..., type: _Optional[str] = ..., status: _Optional[_Union[StepStatus, str]] = ..., attempts: _Optional[int] = ..., input: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., output: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., error: _Optional[_Union[StepError, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., used_fallback: _Optional[bool] = ..., child_run_id: _Optional[str] = ..., wake_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., worker_id: _Optional[str] = ..., progress: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class PauseInfo(_message.Message):
    __slots__ = ("step_id", "message", "paused_at")
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PAUSED_AT_FIELD_NUMBER: _ClassVar[int]
    step_id: str
    message: str
    paused_at: _timestamp_pb2.Timestamp
    def __init__(self, step_id: _Optional[str] = ..., message: _Optional[str] = ..., paused_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Run(_message.Message):
    __slots__ = ("id", "tenant_id", "workflow_id", "workflow_version", "status", "trigger", "inputs", "outputs", "steps", "progress_percent", "current_steps", "error", "created_at", "started_at", "finished_at", "updated_at", "parent_run_id", "parent_step_id", "idempotency_key", "schedule_id", "batch_id", "batch_row", "pause", "last_seq")
    ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_STEPS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_STEP_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ROW_FIELD_NUMBER: _ClassVar[int]
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQ_FIELD_NUMBER: _ClassVar[int]
    id: str
    tenant_id: str
    workflow_id: str
    workflow_version: int
    status: RunStatus
    trigger: RunTrigger
    inputs: _struct_pb2.Struct
    outputs: _struct_pb2.Struct
    steps: _containers.RepeatedCompositeFieldContainer[StepRun]
    progress_percent: int
    current_steps: _containers.RepeatedScalarFieldContainer[str]
    error: StepError
    created_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    parent_run_id: str
    parent_step_id: str
    idempotency_key: str
    schedule_id: str
    batch_id: str
    batch_row: int
    pause: PauseInfo
    last_seq: int
    def __init__(self, id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., workflow_id: _Optional[str] = ..., workflow_version: _Optional[int] = ..., status: _Optional[_Union[RunStatus, str]] = ..., trigger: _Optional[_Union[RunTrigger, str]] = ..., inputs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., outputs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., steps: _Optional[_Iterable[_Union[StepRun, _Mapping]]] = ..., progress_percent: _Optional[int] = ..., current_steps: _Optional[_Iterable[str]] = ..., error: _Optional[_Union[StepError, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., parent_run_id: _Optional[str] = ..., parent_step_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., schedule_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., batch_row: _Optional[int] = ..., pause: _Optional[_Union[PauseInfo, _Mapping]] = ..., last_seq: _Optional[int] = ...) -> None: ...

class RunEvent(_message.Message):
    __slots__ = ("run_id", "seq", "time", "type", "workflow_id", "step_id", "attempt", "output", "error", "run_status", "next_attempt_at", "pause_action", "task")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    RUN_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    PAUSE_ACTION_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    seq: int
    time: _timestamp_pb2.Timestamp
    type: RunEventType
    workflow_id: str
    step_id: str
    attempt: int
    output: _struct_pb2.Value
    error: StepError
    run_status: RunStatus
    next_attempt_at: _timestamp_pb2.Timestamp
    pause_action: PauseRecord
    task: TaskNote
    def __init__(self, run_id: _Optional[str] = ..., seq: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., type: _Optional[_Union[RunEventType, str]] = ..., workflow_id: _Optional[str] = ..., step_id: _Optional[str] = ..., attempt: _Optional[int] = ..., output: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., error: _Optional[_Union[StepError, _Mapping]] = ..., run_status: _Optional[_Union[RunStatus, str]] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pause_action: _Optional[_Union[PauseRecord, _Mapping]] = ..., task: _Optional[_Union[TaskNote, _Mapping]] = ...) -> None: ...

class TaskNote(_message.Message):
    __slots__ = ("task_id", "worker_id", "lease_id", "details", "reason")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    worker_id: str
    lease_id: str
    details: _struct_pb2.Value
    reason: str
    def __init__(self, task_id: _Optional[str] = ..., worker_id: _Optional[str] = ..., lease_id: _Optional[str] = ..., details: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class PauseRecord(_message.Message):
    __slots__ = ("run_id", "step_id", "paused_at", "action", "user_id", "comment", "inputs", "output", "decided_at")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    PAUSED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    step_id: str
    paused_at: _timestamp_pb2.Timestamp
    action: PauseAction
    user_id: str
    comment: str
    inputs: _struct_pb2.Struct
    output: _struct_pb2.Value
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, run_id: _Optional[str] = ..., step_id: _Optional[str] = ..., paused_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., action: _Optional[_Union[PauseAction, str]] = ..., user_id: _Optional[str] = ..., comment: _Optional[str] = ..., inputs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., output: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Schedule(_message.Message):
    __slots__ = ("id", "workflow_id", "cron", "time_zone", "inputs", "paused", "catch_up", "next_run_at", "last_run_at", "last_run_id", "created_at", "paused_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    CRON_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    CATCH_UP_FIELD_NUMBER: _ClassVar[int]
    NEXT_RUN_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_RUN_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    PAUSED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    workflow_id: str
    cron: str
    time_zone: str
    inputs: _struct_pb2.Struct
    paused: bool
    catch_up: CatchUpPolicy
    next_run_at: _timestamp_pb2.Timestamp
    last_run_at: _timestamp_pb2.Timestamp
    last_run_id: str
    created_at: _timestamp_pb2.Timestamp
    paused_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., workflow_id: _Optional[str] = ..., cron: _Optional[str] = ..., time_zone: _Optional[str] = ..., inputs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., paused: _Optional[bool] = ..., catch_up: _Optional[_Union[CatchUpPolicy, str]] = ..., next_run_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_run_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_run_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paused_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BatchRow(_message.Message):
    __slots__ = ("row", "run_id", "status", "error")
    ROW_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    row: int
    run_id: str
    status: RunStatus
    error: StepError
    def __init__(self, row: _Optional[int] = ..., run_id: _Optional[str] = ..., status: _Optional[_Union[RunStatus, str]] = ..., error: _Optional[_Union[StepError, _Mapping]] = ...) -> None: ...

class BatchRun(_message.Message):
    __slots__ = ("id", "workflow_id", "file_id", "status", "total_rows", "completed_rows", "failed_rows", "rows", "output_file_id", "created_at", "finished_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_ROWS_FIELD_NUMBER: _ClassVar[int]
    FAILED_ROWS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FILE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    workflow_id: str
    file_id: str
    status: BatchStatus
    total_rows: int
    completed_rows: int
    failed_rows: int
    rows: _containers.RepeatedCompositeFieldContainer[BatchRow]
    output_file_id: str
    created_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., workflow_id: _Optional[str] = ..., file_id: _Optional[str] = ..., status: _Optional[_Union[BatchStatus, str]] = ..., total_rows: _Optional[int] = ..., completed_rows: _Optional[int] = ..., failed_rows: _Optional[int] = ..., rows: _Optional[_Iterable[_Union[BatchRow, _Mapping]]] = ..., output_file_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
