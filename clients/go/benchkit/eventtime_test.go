package benchkit

import (
	"testing"
	"time"

	"github.com/golang/protobuf/proto"
	structpb "github.com/golang/protobuf/ptypes/struct"
	tspb "github.com/golang/protobuf/ptypes/timestamp"

	pb "spindle/clients/go/spindlev1"
)

// The codec must find the time among every other field a RunEvent carries, before and after it.
func TestEventTimeCodecReadsOnlyTheTime(t *testing.T) {
	ev := &pb.RunEvent{RunId: "run_1", Seq: 300, Time: &tspb.Timestamp{Seconds: 1_790_000_000, Nanos: 123_456_789},
		Type: pb.RunEventType_RUN_EVENT_TYPE_STEP_COMPLETED, WorkflowId: "wf_1", StepId: "m3", Attempt: 2,
		Output:    &structpb.Value{Kind: &structpb.Value_NumberValue{NumberValue: 1.5}},
		RunStatus: pb.RunStatus_RUN_STATUS_RUNNING, NextAttemptAt: &tspb.Timestamp{Seconds: 7}}
	data, err := proto.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var got EventTime
	if err := (EventTimeCodec{}).Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1_790_000_000, 123_456_789); !got.Sent.Equal(want) {
		t.Fatalf("time %v, want %v", got.Sent, want)
	}
	var full pb.RunEvent
	if err := (EventTimeCodec{}).Unmarshal(data, &full); err != nil || full.Seq != 300 || full.StepId != "m3" {
		t.Fatalf("full decode: %v %+v", err, &full)
	}
}

func TestEventTimeCodecRefusesTruncatedInput(t *testing.T) {
	data, _ := proto.Marshal(&pb.RunEvent{RunId: "run_1", Time: &tspb.Timestamp{Seconds: 1_790_000_000, Nanos: 5}})
	timeStart := len(data) - 10 // tag, length, then the Timestamp's 8 bytes (seconds in 5, nanos in 1)
	for cut := timeStart + 1; cut < len(data); cut++ {
		var partial EventTime
		if err := (EventTimeCodec{}).Unmarshal(data[:cut], &partial); err == nil {
			t.Fatalf("a cut at %d of %d inside the time field decoded", cut, len(data))
		}
	}
}
