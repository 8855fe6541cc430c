from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Color(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLOR_UNSPECIFIED: _ClassVar[Color]
    RED: _ClassVar[Color]
    GREEN: _ClassVar[Color]
    NEGATIVE: _ClassVar[Color]
COLOR_UNSPECIFIED: Color
RED: Color
GREEN: Color
NEGATIVE: Color

class AllTypes(_message.Message):
    __slots__ = ("f_double", "f_float", "f_int64", "f_uint64", "f_int32", "f_fixed64", "f_fixed32", "f_bool", "f_string", "f_bytes", "f_uint32", "f_sfixed32", "f_sfixed64", "f_sint32", "f_sint64", "f_enum", "f_nested", "o_int32", "o_string", "o_bool", "o_double", "o_enum", "r_double", "r_float", "r_int64", "r_uint64", "r_int32", "r_fixed64", "r_fixed32", "r_bool", "r_string", "r_bytes", "r_uint32", "r_sfixed32", "r_sfixed64", "r_sint32", "r_sint64", "r_enum", "r_nested", "r_unpacked_int32", "r_unpacked_sint64", "m_string_int32", "m_int32_string", "m_int64_nested", "m_bool_enum", "m_uint32_bytes", "m_sint64_double", "c_int32", "c_string", "c_nested", "c_enum")
    class Nested(_message.Message):
        __slots__ = ("a", "b", "c")
        A_FIELD_NUMBER: _ClassVar[int]
        B_FIELD_NUMBER: _ClassVar[int]
        C_FIELD_NUMBER: _ClassVar[int]
        a: int
        b: str
        c: _containers.RepeatedScalarFieldContainer[int]
        def __init__(self, a: _Optional[int] = ..., b: _Optional[str] = ..., c: _Optional[_Iterable[int]] = ...) -> None: ...
    class MStringInt32Entry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class MInt32StringEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: str
        def __init__(self, key: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...
    class MInt64NestedEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: AllTypes.Nested
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[AllTypes.Nested, _Mapping]] = ...) -> None: ...
    class MBoolEnumEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: bool
        value: Color
        def __init__(self, key: _Optional[bool] = ..., value: _Optional[_Union[Color, str]] = ...) -> None: ...
    class MUint32BytesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: bytes
        def __init__(self, key: _Optional[int] = ..., value: _Optional[bytes] = ...) -> None: ...
    class MSint64DoubleEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: float
        def __init__(self, key: _Optional[int] = ..., value: _Optional[float] = ...) -> None: ...
    F_DOUBLE_FIELD_NUMBER: _ClassVar[int]
    F_FLOAT_FIELD_NUMBER: _ClassVar[int]
    F_INT64_FIELD_NUMBER: _ClassVar[int]
    F_UINT64_FIELD_NUMBER: _ClassVar[int]
    F_INT32_FIELD_NUMBER: _ClassVar[int]
    F_FIXED64_FIELD_NUMBER: _ClassVar[int]
    F_FIXED32_FIELD_NUMBER: _ClassVar[int]
    F_BOOL_FIELD_NUMBER: _ClassVar[int]
    F_STRING_FIELD_NUMBER: _ClassVar[int]
    F_BYTES_FIELD_NUMBER: _ClassVar[int]
    F_UINT32_FIELD_NUMBER: _ClassVar[int]
    F_SFIXED32_FIELD_NUMBER: _ClassVar[int]
    F_SFIXED64_FIELD_NUMBER: _ClassVar[int]
    F_SINT32_FIELD_NUMBER: _ClassVar[int]
    F_SINT64_FIELD_NUMBER: _ClassVar[int]
    F_ENUM_FIELD_NUMBER: _ClassVar[int]
    F_NESTED_FIELD_NUMBER: _ClassVar[int]
    O_INT32_FIELD_NUMBER: _ClassVar[int]
    O_STRING_FIELD_NUMBER: _ClassVar[int]
    O_BOOL_FIELD_NUMBER: _ClassVar[int]
    O_DOUBLE_FIELD_NUMBER: _ClassVar[int]
    O_ENUM_FIELD_NUMBER: _ClassVar[int]
    R_DOUBLE_FIELD_NUMBER: _ClassVar[int]
    R_FLOAT_FIELD_NUMBER: _ClassVar[int]
    R_INT64_FIELD_NUMBER: _ClassVar[int]
    R_UINT64_FIELD_NUMBER: _ClassVar[int]
    R_INT32_FIELD_NUMBER: _ClassVar[int]
    R_FIXED64_FIELD_NUMBER: _ClassVar[int]
    R_FIXED32_FIELD_NUMBER: _ClassVar[int]
    R_BOOL_FIELD_NUMBER: _ClassVar[int]
    R_STRING_FIELD_NUMBER: _ClassVar[int]
    R_BYTES_FIELD_NUMBER: _ClassVar[int]
    R_UINT32_FIELD_NUMBER: _ClassVar[int]
    R_SFIXED32_FIELD_NUMBER: _ClassVar[int]
    R_SFIXED64_FIELD_NUMBER: _ClassVar[int]
    R_SINT32_FIELD_NUMBER: _ClassVar[int]
    R_SINT64_FIELD_NUMBER: _ClassVar[int]
    R_ENUM_FIELD_NUMBER: _ClassVar[int]
    R_NESTED_FIELD_NUMBER: _ClassVar[int]
    R_UNPACKED_INT32_FIELD_NUMBER: _ClassVar[int]
    R_UNPACKED_SINT64_FIELD_NUMBER: _ClassVar[int]
    M_STRING_INT32_FIELD_NUMBER: _ClassVar[int]
    M_INT32_STRING_FIELD_NUMBER: _ClassVar[int]
    M_INT64_NESTED_FIELD_NUMBER: _ClassVar[int]
    M_BOOL_ENUM_FIELD_NUMBER: _ClassVar[int]
    M_UINT32_BYTES_FIELD_NUMBER: _ClassVar[int]
    M_SINT64_DOUBLE_FIELD_NUMBER: _ClassVar[int]
    C_INT32_FIELD_NUMBER: _ClassVar[int]
    C_STRING_FIELD_NUMBER: _ClassVar[int]
    C_NESTED_FIELD_NUMBER: _ClassVar[int]
    C_ENUM_FIELD_NUMBER: _ClassVar[int]
    f_double: float
    f_float: float
    f_int64: int
    f_uint64: int
    f_int32: int
    f_fixed64: int
    f_fixed32: int
    f_bool: bool
    f_string: str
    f_bytes: bytes
    f_uint32: int
    f_sfixed32: int
    f_sfixed64: int
    f_sint32: int
    f_sint64: int
    f_enum: Color
    f_nested: AllTypes.Nested
    o_int32: int
    o_string: str
    o_bool: bool
    o_double: float
    o_enum: Color
    r_double: _containers.RepeatedScalarFieldContainer[float]
    r_float: _containers.RepeatedScalarFieldContainer[float]
    r_int64: _containers.RepeatedScalarFieldContainer[int]
    r_uint64: _containers.RepeatedScalarFieldContainer[int]
    r_int32: _containers.RepeatedScalarFieldContainer[int]
    r_fixed64: _containers.RepeatedScalarFieldContainer[int]
    r_fixed32: _containers.RepeatedScalarFieldContainer[int]
    r_bool: _containers.RepeatedScalarFieldContainer[bool]
    r_string: _containers.RepeatedScalarFieldContainer[str]
    r_bytes: _containers.RepeatedScalarFieldContainer[bytes]
    r_uint32: _containers.RepeatedScalarFieldContainer[int]
    r_sfixed32: _containers.RepeatedScalarFieldContainer[int]
    r_sfixed64: _containers.RepeatedScalarFieldContainer[int]
    r_sint32: _containers.RepeatedScalarFieldContainer[int]
    r_sint64: _containers.RepeatedScalarFieldContainer[int]
    r_enum: _containers.RepeatedScalarFieldContainer[Color]
    r_nested: _containers.RepeatedCompositeFieldContainer[AllTypes.Nested]
    r_unpacked_int32: _containers.RepeatedScalarFieldContainer[int]
    r_unpacked_sint64: _containers.RepeatedScalarFieldContainer[int]
    m_string_int32: _containers.ScalarMap[str, int]
    m_int32_string: _containers.ScalarMap[int, str]
    m_int64_nested: _containers.MessageMap[int, AllTypes.Nested]
    m_bool_enum: _containers.ScalarMap[bool, Color]
    m_uint32_bytes: _containers.ScalarMap[int, bytes]
    m_sint64_double: _containers.ScalarMap[int, float]
    c_int32: int
    c_string: str
    c_nested: AllTypes.Nested
    c_enum: Color
    def __init__(self, f_double: _Optional[float] = ..., f_float: _Optional[float] = ..., f_int64: _Optional[int] = ..., f_uint64: _Optional[int] = ..., f_int32: _Optional[int] = ..., f_fixed64: _Optional[int] = ..., f_fixed32: _Optional[int] = ..., f_bool: _Optional[bool] = ..., f_string: _Optional[str] = ..., f_bytes: _Optional[bytes] = ..., f_uint32: _Optional[int] = ..., f_sfixed32: _Optional[int] = ..., f_sfixed64: _Optional[int] = ..., f_sint32: _Optional[int] = ..., f_sint64: _Optional[int] = ..., f_enum: _Optional[_Union[Color, str]] = ..., f_nested: _Optional[_Union[AllTypes.Nested, _Mapping]] = ..., o_int32: _Optional[int] = ..., o_string: _Optional[str] = ..., o_bool: _Optional[bool] = ..., o_double: _Optional[float] = ..., o_enum: _Optional[_Union[Color, str]] = ..., r_double: _Optional[_Iterable[float]] = ..., r_float: _Optional[_Iterable[float]] = ..., r_int64: _Optional[_Iterable[int]] = ..., r_uint64: _Optional[_Iterable[int]] = ..., r_int32: _Optional[_Iterable[int]] = ..., r_fixed64: _Optional[_Iterable[int]] = ..., r_fixed32: _Optional[_Iterable[int]] = ..., r_bool: _Optional[_Iterable[bool]] = ..., r_string: _Optional[_Iterable[str]] = ..., r_bytes: _Optional[_Iterable[bytes]] = ..., r_uint32: _Optional[_Iterable[int]] = ..., r_sfixed32: _Optional[_Iterable[int]] = ..., r_sfixed64: _Optional[_Iterable[int]] = ..., r_sint32: _Optional[_Iterable[int]] = ..., r_sint64: _Optional[_Iterable[int]] = ..., r_enum: _Optional[_Iterable[_Union[Color, str]]] = ..., r_nested: _Optional[_Iterable[_Union[AllTypes.Nested, _Mapping]]] = ..., r_unpacked_int32: _Optional[_Iterable[int]] = ..., r_unpacked_sint64: _Optional[_Iterable[int]] = ..., m_string_int32: _Optional[_Mapping[str, int]] = ..., m_int32_string: _Optional[_Mapping[int, str]] = ..., m_int64_nested: _Optional[_Mapping[int, AllTypes.Nested]] = ..., m_bool_enum: _Optional[_Mapping[bool, Color]] = ..., m_uint32_bytes: _Optional[_Mapping[int, bytes]] = ..., m_sint64_double: _Optional[_Mapping[int, float]] = ..., c_int32: _Optional[int] = ..., c_string: _Optional[str] = ..., c_nested: _Optional[_Union[AllTypes.Nested, _Mapping]] = ..., c_enum: _Optional[_Union[Color, str]] = ...) -> None: ...
