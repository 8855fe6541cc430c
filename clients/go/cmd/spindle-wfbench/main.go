// spindle-wfbench measures Spindle's WorkflowService from Go (bench/workflows.py starts the
// server and runs it). It prints one "key=value" line per figure and asserts nothing.
//
//	-mode rate      with each of -rate-clients (default "1,64"), for -seconds each: durable
//	                CreateWorkflow/s (creates_per_s_<n>), then durable UpdateWorkflow/s of one
//	                metadata field on workflows just made (updates_per_s_<n>); with the errors,
//	                and the CPU used by this client and by the server (-pid) per second of wall
//	                time, so a saturated client shows
//	-mode populate  -count creates by -clients callers, shaped for the latency phase: 1 in 100
//	                tagged "rare" (else "common"), 1 in 100 with trigger WEBHOOK, 1 in 100 set
//	                ACTIVE after it is made (the rest stay DRAFT)
//	-mode latency   one caller, one call at a time: GetWorkflow on ids the tenant holds, then
//	                ListWorkflows (page 50, newest first) unfiltered, by tag, status, trigger,
//	                name_contains, and a second page by tag: p50/p99 in ms
//
//	clients/go/build.sh && clients/go/bin/spindle-wfbench -addr 127.0.0.1:50051 -token "$T" -mode rate
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	structpb "github.com/golang/protobuf/ptypes/struct"
	fieldmaskpb "google.golang.org/genproto/protobuf/field_mask"

	"spindle/clients/go/benchkit"
	pb "spindle/clients/go/spindlev1"
)

var (
	addr        = flag.String("addr", "127.0.0.1:50051", "server address")
	token       = flag.String("token", os.Getenv("SPINDLE_TOKEN"), "bearer token")
	pid         = flag.Int("pid", 0, "server pid, for its CPU use")
	mode        = flag.String("mode", "rate", "rate, populate or latency")
	rateClients = flag.String("rate-clients", "1,64", "rate: the client counts to measure, comma-separated")
	seconds     = flag.Float64("seconds", 4, "rate: seconds per client count")
	clients     = flag.Int("clients", 64, "populate: concurrent callers")
	count       = flag.Int("count", 100000, "populate: workflows to create")
	first       = flag.Int("first", 0, "populate: number of the first workflow (names are \"bench <n>\")")
	calls       = flag.Int("calls", 1000, "latency: calls per measured operation")
	conns       = flag.Int("conns", 8, "connections to spread callers over")
	timeLimit   = flag.Float64("time-limit", 120, "populate: stop after this many seconds")
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	ctx := benchkit.Authorized(*token)
	var cs []pb.WorkflowServiceClient
	for _, conn := range benchkit.Dial(*addr, *conns) {
		defer conn.Close()
		cs = append(cs, pb.NewWorkflowServiceClient(conn))
	}
	client := func(i int) pb.WorkflowServiceClient { return cs[i%len(cs)] }
	switch *mode {
	case "rate":
		rate(ctx, client)
	case "populate":
		populate(ctx, client)
	case "latency":
		latency(ctx, client(0))
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}

func report(key string, value interface{}) { fmt.Printf("%s=%v\n", key, value) }

// rate: -seconds of back-to-back creates per client count.
func rate(ctx context.Context, client func(int) pb.WorkflowServiceClient) {
	// Warm-up: connections, the server's first allocations.
	for i := 0; i < 20; i++ {
		mustCreate(ctx, client(i), -1-i)
	}
	for _, field := range strings.Split(*rateClients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			log.Fatalf("bad -rate-clients entry %q", field)
		}
		// Each caller updates workflows of its own, so no two writes race on one etag; and
		// only caller c touches ids[c], so the slots need no lock.
		ids := make([][]string, n)
		measure("creates", n, func(c, k int) error {
			w, err := client(c).CreateWorkflow(ctx, createRequest(n*10000000+k))
			if err == nil && len(ids[c]) < 64 {
				ids[c] = append(ids[c], w.Id)
			}
			return err
		})
		mask := &fieldmaskpb.FieldMask{Paths: []string{"description"}}
		measure("updates", n, func(c, k int) error {
			mine := ids[c]
			if len(mine) == 0 {
				return fmt.Errorf("caller %d made no workflow to update", c)
			}
			id := mine[k%len(mine)]
			_, err := client(c).UpdateWorkflow(ctx, &pb.UpdateWorkflowRequest{WorkflowId: id, UpdateMask: mask,
				Metadata: &pb.Workflow{Description: fmt.Sprintf("update %d", k)}})
			return err
		})
	}
}

// measure: -seconds of back-to-back calls from n callers, as <what>_per_s_<n>, the errors, and
// the CPU this client and the server (-pid) used per second of wall time.
func measure(what string, n int, call func(c, k int) error) {
	cpu0, srv0, t0 := benchkit.SelfCPU().Seconds(), benchkit.ProcessCPU(*pid).Seconds(), time.Now()
	done, errs := hammer(n, *seconds, -1, call)
	wall := time.Since(t0).Seconds()
	report(fmt.Sprintf("%s_per_s_%d", what, n), fmt.Sprintf("%.0f", float64(done)/wall))
	report(fmt.Sprintf("%s_errors_%d", what, n), errs)
	report(fmt.Sprintf("%s_done_%d", what, n), done)
	report(fmt.Sprintf("%s_client_cpu_cores_%d", what, n), fmt.Sprintf("%.2f", (benchkit.SelfCPU().Seconds()-cpu0)/wall))
	if *pid > 0 {
		report(fmt.Sprintf("%s_server_cpu_cores_%d", what, n), fmt.Sprintf("%.2f", (benchkit.ProcessCPU(*pid).Seconds()-srv0)/wall))
	}
}

// populate: -count creates numbered from -first, shaped for the filters latency measures.
func populate(ctx context.Context, client func(int) pb.WorkflowServiceClient) {
	t0 := time.Now()
	done, errs := hammer(*clients, *timeLimit, *count, func(c, k int) error {
		n := *first + k
		w, err := client(c).CreateWorkflow(ctx, createRequest(n))
		if err == nil && n%100 == 50 {
			_, err = client(c).SetWorkflowStatus(ctx, &pb.SetWorkflowStatusRequest{WorkflowId: w.Id,
				Status: pb.WorkflowStatus_WORKFLOW_STATUS_ACTIVE})
		}
		return err
	})
	wall := time.Since(t0).Seconds()
	report("populated", done)
	report("populate_errors", errs)
	report("populate_s", fmt.Sprintf("%.1f", wall))
	report("populate_per_s", fmt.Sprintf("%.0f", float64(done)/wall))
}

// hammer runs call(client, k) for k = 0, 1, ... from n goroutines at once until the limit in
// seconds passes or (count >= 0) count calls are made; returns the calls that worked and failed.
func hammer(n int, seconds float64, count int, call func(c, k int) error) (done, errs int64) {
	next := int64(-1)
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	var wg sync.WaitGroup
	for c := 0; c < n; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				k := int(atomic.AddInt64(&next, 1))
				if count >= 0 && k >= count {
					return
				}
				if call(c, k) != nil {
					atomic.AddInt64(&errs, 1)
				} else {
					atomic.AddInt64(&done, 1)
				}
			}
		}(c)
	}
	wg.Wait()
	return done, errs
}

// latency: one call at a time, after 20 unmeasured ones of each kind.
func latency(ctx context.Context, c pb.WorkflowServiceClient) {
	var ids []string
	token := ""
	for len(ids) < 4000 {
		page, err := c.ListWorkflows(ctx, &pb.ListWorkflowsRequest{PageSize: 200, PageToken: token})
		if err != nil {
			log.Fatalf("list: %v", err)
		}
		for _, w := range page.Workflows {
			ids = append(ids, w.Id)
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	if len(ids) == 0 {
		log.Fatal("latency: the tenant holds no workflows (run -mode populate first)")
	}
	rng := rand.New(rand.NewSource(1))
	tagFirst, err := c.ListWorkflows(ctx, &pb.ListWorkflowsRequest{PageSize: 50, Tag: "rare"})
	if err != nil {
		log.Fatalf("list: %v", err)
	}
	list := func(req pb.ListWorkflowsRequest) func() int {
		return func() int {
			r := req
			page, err := c.ListWorkflows(ctx, &r)
			if err != nil {
				log.Fatalf("list %+v: %v", req, err)
			}
			return len(page.Workflows)
		}
	}
	ops := []struct {
		name string
		call func() int
	}{
		{"get", func() int {
			if _, err := c.GetWorkflow(ctx, &pb.GetWorkflowRequest{WorkflowId: ids[rng.Intn(len(ids))]}); err != nil {
				log.Fatalf("get: %v", err)
			}
			return 1
		}},
		{"list", list(pb.ListWorkflowsRequest{PageSize: 50})},
		{"list_tag", list(pb.ListWorkflowsRequest{PageSize: 50, Tag: "rare"})},
		{"list_tag_page2", list(pb.ListWorkflowsRequest{PageSize: 50, Tag: "rare", PageToken: tagFirst.NextPageToken})},
		{"list_status", list(pb.ListWorkflowsRequest{PageSize: 50, Status: pb.WorkflowStatus_WORKFLOW_STATUS_ACTIVE})},
		{"list_trigger", list(pb.ListWorkflowsRequest{PageSize: 50, TriggerType: pb.TriggerType_TRIGGER_TYPE_WEBHOOK})},
		{"list_tag_deleted", list(pb.ListWorkflowsRequest{PageSize: 50, Tag: "rare", IncludeDeleted: true})},
		{"list_name", list(pb.ListWorkflowsRequest{PageSize: 50, NameContains: "BENCH 77"})},
		{"list_name_none", list(pb.ListWorkflowsRequest{PageSize: 50, NameContains: "no such name"})},
	}
	for _, op := range ops {
		for i := 0; i < 20; i++ {
			op.call()
		}
		var ms []float64
		rows := 0
		limit := time.Now().Add(20 * time.Second)
		for i := 0; i < *calls && time.Now().Before(limit); i++ {
			t0 := time.Now()
			rows = op.call()
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		}
		report(op.name+"_p50_ms", fmt.Sprintf("%.2f", benchkit.Pct(ms, 50)))
		report(op.name+"_p99_ms", fmt.Sprintf("%.2f", benchkit.Pct(ms, 99)))
		report(op.name+"_rows", rows)
	}
}

func createRequest(n int) *pb.CreateWorkflowRequest {
	tag := "common"
	if n%100 == 0 {
		tag = "rare"
	}
	trigger := pb.TriggerType_TRIGGER_TYPE_MANUAL
	if n%100 == 25 {
		trigger = pb.TriggerType_TRIGGER_TYPE_WEBHOOK
	}
	cfg := &structpb.Struct{Fields: map[string]*structpb.Value{
		"template": {Kind: &structpb.Value_StringValue{StringValue: fmt.Sprintf("bench %d", n)}}}}
	return &pb.CreateWorkflowRequest{Workflow: &pb.Workflow{
		Name: fmt.Sprintf("bench %d", n), Tags: []string{tag}, TriggerType: trigger,
		Definition: &pb.WorkflowDefinition{Steps: []*pb.Step{{Id: "render", Type: "template", Config: cfg}}},
	}}
}

func mustCreate(ctx context.Context, c pb.WorkflowServiceClient, n int) {
	if _, err := c.CreateWorkflow(ctx, createRequest(n)); err != nil {
		log.Fatalf("create: %v", err)
	}
}
