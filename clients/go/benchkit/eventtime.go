package benchkit

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang/protobuf/proto"
)

// EventTime is the `time` (field 3, a google.protobuf.Timestamp) of a RunEvent and nothing
// else. A lag measurement with a thousand streams on one core is bounded by what the client
// spends per message; decoding the whole RunEvent (ids, output Value, error) was a good part
// of it, and only the time is needed. Receive into it with the EventTimeCodec call option.
type EventTime struct{ Sent time.Time }

// EventTimeCodec is a gRPC codec ("proto", so the wire is unchanged) that marshals requests
// with the regular protobuf runtime and decodes replies into an *EventTime by reading only
// field 3; any other target is decoded in full.
type EventTimeCodec struct{}

func (EventTimeCodec) Name() string { return "proto" }

func (EventTimeCodec) Marshal(v interface{}) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("EventTimeCodec: cannot marshal %T", v)
	}
	return proto.Marshal(m)
}

func (EventTimeCodec) Unmarshal(data []byte, v interface{}) error {
	t, ok := v.(*EventTime)
	if !ok {
		m, ok := v.(proto.Message)
		if !ok {
			return fmt.Errorf("EventTimeCodec: cannot unmarshal into %T", v)
		}
		return proto.Unmarshal(data, m)
	}
	for len(data) > 0 {
		key, n := varint(data)
		if n == 0 {
			return errTruncated
		}
		data = data[n:]
		field, wire := key>>3, key&7
		switch wire {
		case 0:
			if _, n = varint(data); n == 0 {
				return errTruncated
			}
			data = data[n:]
		case 1:
			if len(data) < 8 {
				return errTruncated
			}
			data = data[8:]
		case 5:
			if len(data) < 4 {
				return errTruncated
			}
			data = data[4:]
		case 2:
			size, n := varint(data)
			if n == 0 || uint64(len(data)-n) < size {
				return errTruncated
			}
			body := data[n : n+int(size)]
			data = data[n+int(size):]
			if field == 3 {
				sec, nanos, err := timestamp(body)
				if err != nil {
					return err
				}
				t.Sent = time.Unix(sec, nanos)
			}
		default:
			return fmt.Errorf("EventTimeCodec: wire type %d", wire)
		}
	}
	return nil
}

var errTruncated = errors.New("EventTimeCodec: truncated message")

// timestamp reads google.protobuf.Timestamp's seconds (1) and nanos (2).
func timestamp(b []byte) (sec int64, nanos int64, err error) {
	for len(b) > 0 {
		key, n := varint(b)
		if n == 0 || key&7 != 0 {
			return 0, 0, errors.New("EventTimeCodec: bad Timestamp")
		}
		b = b[n:]
		v, n := varint(b)
		if n == 0 {
			return 0, 0, errTruncated
		}
		b = b[n:]
		switch key >> 3 {
		case 1:
			sec = int64(v)
		case 2:
			nanos = int64(int32(v))
		}
	}
	return sec, nanos, nil
}

// varint decodes a base-128 varint; n is 0 when b ends first or it runs past 10 bytes.
func varint(b []byte) (v uint64, n int) {
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * uint(i))
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}
