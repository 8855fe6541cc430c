// spindle-taskbench drives bench/tasks.py: -clients callers run a workflow of -steps
// independent steps back to back for -seconds (kind "task": task steps on -queue, served by
// spindle-worker processes; kind "builtin": template steps), and reports steps/s. Then
// -latency-runs runs of one task step, one at a time, each printed as
// "started <task id> <unix ns of the step's start>" for the dispatch latency join.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	structpb "github.com/golang/protobuf/ptypes/struct"

	"spindle/clients/go/benchkit"
	pb "spindle/clients/go/spindlev1"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "server address")
	token := flag.String("token", os.Getenv("SPINDLE_TOKEN"), "bearer token")
	kind := flag.String("kind", "task", "task or builtin")
	queue := flag.String("queue", "bench", "the task steps' queue")
	steps := flag.Int("steps", 10, "independent steps per run")
	clients := flag.Int("clients", 64, "concurrent callers")
	seconds := flag.Float64("seconds", 5, "duration of the throughput phase")
	latencyRuns := flag.Int("latency-runs", 0, "one-step runs for the dispatch latency phase (task kind)")
	conns := flag.Int("conns", 8, "connections")
	flag.Parse()
	log.SetFlags(0)
	ctx := benchkit.Authorized(*token)
	runClients, wfClient, closeAll := benchkit.Clients(*addr, *conns)
	defer closeAll()
	step := func(id string) *pb.Step {
		if *kind == "task" {
			return &pb.Step{Id: id, Type: "task", Config: &structpb.Struct{Fields: map[string]*structpb.Value{
				"queue": {Kind: &structpb.Value_StringValue{StringValue: *queue}}}}}
		}
		return &pb.Step{Id: id, Type: "template", Config: &structpb.Struct{Fields: map[string]*structpb.Value{
			"template": {Kind: &structpb.Value_StringValue{StringValue: "x"}}}}}
	}
	create := func(n int) string {
		var ss []*pb.Step
		for i := 0; i < n; i++ {
			ss = append(ss, step(fmt.Sprintf("s%d", i)))
		}
		w, err := wfClient.CreateWorkflow(ctx, &pb.CreateWorkflowRequest{Workflow: &pb.Workflow{
			Name: fmt.Sprintf("taskbench-%d", time.Now().UnixNano()), Definition: &pb.WorkflowDefinition{Steps: ss}}})
		if err != nil {
			log.Fatalf("create workflow: %v", err)
		}
		return w.Id
	}
	wid := create(*steps)
	var done int64
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				run, err := runClients[c%len(runClients)].RunWorkflow(ctx, &pb.RunWorkflowRequest{WorkflowId: wid})
				if err != nil || run.Status != pb.RunStatus_RUN_STATUS_COMPLETED {
					log.Fatalf("run: %v %v", err, run.GetStatus())
				}
				atomic.AddInt64(&done, 1)
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	fmt.Printf("steps_per_s=%.0f\n", float64(done)*float64(*steps)/elapsed)
	fmt.Printf("runs_completed=%d\n", done)
	if *kind != "task" || *latencyRuns == 0 {
		return
	}
	one := create(1)
	for i := 0; i < *latencyRuns; i++ {
		run, err := runClients[0].RunWorkflow(ctx, &pb.RunWorkflowRequest{WorkflowId: one})
		if err != nil || run.Status != pb.RunStatus_RUN_STATUS_COMPLETED {
			log.Fatalf("latency run: %v %v", err, run.GetStatus())
		}
		s := run.Steps[0]
		fmt.Printf("started %s/%s/1 %d\n", run.Id, s.StepId, s.StartedAt.Seconds*1e9+int64(s.StartedAt.Nanos))
	}
}
