// spindle-runbench measures Spindle's RunService from Go (bench/runs.py starts the server and
// runs it). It prints one "key=value" line per figure and asserts nothing:
//
//	runs_per_s        RunWorkflow of a 10-step no-op DAG (each run durable), -clients at once
//	latency_p50/p99   start-to-completed of one such run, one client, one run at a time
//	lag_one_p99       1,000 (-watchers-one) WatchRun streams on one run: event time to receipt
//	lag_many_p99      10,000 (-watchers-many) WatchRun streams on different runs
//	rss_*             the server's VmRSS (-pid) at each point, for memory per run and per watcher
//
//	clients/go/build.sh && clients/go/bin/spindle-runbench -addr 127.0.0.1:50051 -token "$T" -pid $PID
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	structpb "github.com/golang/protobuf/ptypes/struct"
	"google.golang.org/grpc"

	"spindle/clients/go/benchkit"
	pb "spindle/clients/go/spindlev1"
)

var (
	addr         = flag.String("addr", "127.0.0.1:50051", "server address")
	token        = flag.String("token", os.Getenv("SPINDLE_TOKEN"), "bearer token")
	pid          = flag.Int("pid", 0, "server pid, for VmRSS readings")
	clients      = flag.Int("clients", 64, "concurrent clients for runs_per_s")
	seconds      = flag.Float64("seconds", 5, "duration of the runs_per_s phase")
	latencyRuns  = flag.Int("latency-runs", 500, "runs for the latency phase")
	watchersOne  = flag.Int("watchers-one", 1000, "watchers on one run")
	watchersMany = flag.Int("watchers-many", 10000, "runs watched one watcher each")
	conns        = flag.Int("conns", 8, "connections to spread clients and watchers over")
	only         = flag.String("only", "", "run one phase only: runs (throughput), latency, one (watchers of one run)")
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	ctx := benchkit.Authorized(*token)
	runClients, wfClient, closeAll := benchkit.Clients(*addr, *conns)
	defer closeAll()
	rc := func(i int) pb.RunServiceClient { return runClients[i%len(runClients)] }

	noop := workflow(ctx, wfClient, "noop-dag", noopDAG())
	report("rss_start_kib", rss())
	if *only == "latency" || *only == "one" {
		*seconds = 0
	}

	// Throughput: -clients callers each running RunWorkflow back to back.
	var done int64
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				run, err := rc(c).RunWorkflow(ctx, &pb.RunWorkflowRequest{WorkflowId: noop})
				if err != nil || run.Status != pb.RunStatus_RUN_STATUS_COMPLETED {
					log.Fatalf("run: %v %v", err, run.GetStatus())
				}
				atomic.AddInt64(&done, 1)
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	report("runs_per_s", fmt.Sprintf("%.0f", float64(done)/elapsed))
	report("runs_completed", fmt.Sprint(done))
	if *only == "runs" {
		return
	}
	gate := workflow(ctx, wfClient, "gated", gatedSteps())
	if *only != "one" {
		phasesLatencyAndMany(ctx, rc, noop, gate)
	}
	watchOne(ctx, rc, gate)
	report("rss_end_kib", rss())
}

// phasesLatencyAndMany: one run at a time (latency), then memory per paused run and one
// watcher on each of -watchers-many runs.
func phasesLatencyAndMany(ctx context.Context, rc func(int) pb.RunServiceClient, noop, gate string) {
	var lat []float64
	for i := 0; i < *latencyRuns; i++ {
		t0 := time.Now()
		run, err := rc(0).RunWorkflow(ctx, &pb.RunWorkflowRequest{WorkflowId: noop})
		if err != nil || run.Status != pb.RunStatus_RUN_STATUS_COMPLETED {
			log.Fatalf("run: %v", err)
		}
		lat = append(lat, time.Since(t0).Seconds()*1000)
	}
	report("latency_p50_ms", fmt.Sprintf("%.2f", benchkit.Pct(lat, 50)))
	report("latency_p99_ms", fmt.Sprintf("%.2f", benchkit.Pct(lat, 99)))
	if *only == "latency" {
		os.Exit(0)
	}

	// Memory per active run: -watchers-many runs paused at an approval step.
	before := benchkit.RSSKiB(*pid)
	ids := make([]string, *watchersMany)
	parallel(*watchersMany, 64, func(i int) {
		run, err := rc(i).StartRun(ctx, &pb.StartRunRequest{WorkflowId: gate})
		if err != nil {
			log.Fatalf("start: %v", err)
		}
		ids[i] = run.Id
	})
	waitPaused(ctx, rc(0), ids)
	after := benchkit.RSSKiB(*pid)
	if before > 0 {
		report("kib_per_paused_run", fmt.Sprintf("%.1f", float64(after-before)/float64(len(ids))))
	}

	// One watcher each on those runs, then every run approved: lag from event time to receipt.
	lagMany := watchAndRelease(ctx, rc, ids, func() {
		parallel(len(ids), 64, func(i int) {
			if _, err := rc(i).ProcessPauseAction(ctx, &pb.ProcessPauseActionRequest{RunId: ids[i],
				Action: pb.PauseAction_PAUSE_ACTION_APPROVE}); err != nil {
				log.Fatalf("approve: %v", err)
			}
		})
	}, "many")
	report("lag_many_p50_ms", fmt.Sprintf("%.2f", benchkit.Pct(lagMany, 50)))
	report("lag_many_p99_ms", fmt.Sprintf("%.2f", benchkit.Pct(lagMany, 99)))
	report("lag_many_events", fmt.Sprint(len(lagMany)))

}

// watchOne: -watchers-one watchers on one run, released by one approval. Besides the lag, it
// reports the CPU the server and this client spent from the release to the last event, so a
// client that cannot keep up shows.
func watchOne(ctx context.Context, rc func(int) pb.RunServiceClient, gate string) {
	run, err := rc(0).StartRun(ctx, &pb.StartRunRequest{WorkflowId: gate})
	if err != nil {
		log.Fatal(err)
	}
	waitPaused(ctx, rc(0), []string{run.Id})
	one := make([]string, *watchersOne)
	for i := range one {
		one[i] = run.Id
	}
	var serverCPU0, clientCPU0 time.Duration
	var t0 time.Time
	lagOne := watchAndRelease(ctx, rc, one, func() {
		serverCPU0, clientCPU0, t0 = benchkit.ProcessCPU(*pid), benchkit.SelfCPU(), time.Now()
		if _, err := rc(0).ProcessPauseAction(ctx, &pb.ProcessPauseActionRequest{RunId: run.Id,
			Action: pb.PauseAction_PAUSE_ACTION_APPROVE}); err != nil {
			log.Fatalf("approve: %v", err)
		}
	}, "one")
	report("lag_one_wall_ms", fmt.Sprint(time.Since(t0).Milliseconds()))
	report("lag_one_server_cpu_ms", fmt.Sprint((benchkit.ProcessCPU(*pid) - serverCPU0).Milliseconds()))
	report("lag_one_client_cpu_ms", fmt.Sprint((benchkit.SelfCPU() - clientCPU0).Milliseconds()))
	report("lag_one_p50_ms", fmt.Sprintf("%.2f", benchkit.Pct(lagOne, 50)))
	report("lag_one_p99_ms", fmt.Sprintf("%.2f", benchkit.Pct(lagOne, 99)))
	report("lag_one_events", fmt.Sprint(len(lagOne)))
}

// watchAndRelease opens one WatchRun per id (after the events so far), waits until all are
// open (the server holds them), reads the RSS, runs release, and collects every event's lag.
func watchAndRelease(ctx context.Context, rc func(int) pb.RunServiceClient, ids []string, release func(), label string) []float64 {
	var mu sync.Mutex
	var lags []float64
	var opened, finished sync.WaitGroup
	before := benchkit.RSSKiB(*pid)
	for i, id := range ids {
		opened.Add(1)
		finished.Add(1)
		go func(i int, id string) {
			defer finished.Done()
			run, err := rc(i).GetRun(ctx, &pb.GetRunRequest{RunId: id})
			if err != nil {
				log.Fatalf("get: %v", err)
			}
			// Only each event's time is decoded (benchkit.EventTimeCodec): the figure is the
			// server's lag, and a full decode per message was client time inside it.
			stream, err := rc(i).WatchRun(ctx, &pb.WatchRunRequest{RunId: id, AfterSeq: run.LastSeq},
				grpc.ForceCodec(benchkit.EventTimeCodec{}))
			if err != nil {
				log.Fatalf("watch: %v", err)
			}
			opened.Done()
			var local []float64
			for {
				var ev benchkit.EventTime
				if err := stream.RecvMsg(&ev); err != nil {
					break
				}
				local = append(local, float64(time.Since(ev.Sent).Microseconds())/1000)
			}
			mu.Lock()
			lags = append(lags, local...)
			mu.Unlock()
		}(i, id)
	}
	opened.Wait()
	// The calls are out; give the server a moment to have every stream registered (a
	// watcher that registers late is served its events from the run's history: it only
	// shows up as a larger lag, never as a missing event).
	time.Sleep(2 * time.Second)
	if before > 0 {
		report("kib_per_watcher_"+label, fmt.Sprintf("%.2f", float64(benchkit.RSSKiB(*pid)-before)/float64(len(ids))))
	}
	// The figure is the server's delivery lag. A Go garbage collection in the window (with a
	// thousand or more goroutine stacks to scan) costs this client tens of milliseconds of its
	// one core and shows up as lag the server did not cause; so collect now, and not again
	// until every event is in.
	runtime.GC()
	gcPercent := debug.SetGCPercent(-1)
	release()
	finished.Wait()
	debug.SetGCPercent(gcPercent)
	return lags
}

func waitPaused(ctx context.Context, c pb.RunServiceClient, ids []string) {
	for _, id := range ids {
		for {
			run, err := c.GetRun(ctx, &pb.GetRunRequest{RunId: id})
			if err != nil {
				log.Fatal(err)
			}
			if run.Status == pb.RunStatus_RUN_STATUS_PAUSED {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func parallel(n, width int, f func(i int)) {
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}(i)
	}
	wg.Wait()
}

func str(s string) *structpb.Value {
	return &structpb.Value{Kind: &structpb.Value_StringValue{StringValue: s}}
}

func config(kv map[string]*structpb.Value) *structpb.Struct { return &structpb.Struct{Fields: kv} }

// noopDAG: a fan-out/fan-in of 10 template steps (1 -> 8 -> 1).
func noopDAG() []*pb.Step {
	steps := []*pb.Step{{Id: "start", Type: "template", Config: config(map[string]*structpb.Value{"template": str("go")})}}
	var mids []string
	for i := 0; i < 8; i++ {
		id := fmt.Sprintf("m%d", i)
		mids = append(mids, id)
		steps = append(steps, &pb.Step{Id: id, Type: "template", DependsOn: []string{"start"},
			Config: config(map[string]*structpb.Value{"template": str("x")})})
	}
	steps = append(steps, &pb.Step{Id: "end", Type: "template", DependsOn: mids,
		Config: config(map[string]*structpb.Value{"template": str("done")})})
	return steps
}

// gatedSteps: an approval, then three steps, so each release makes several events.
func gatedSteps() []*pb.Step {
	return []*pb.Step{
		{Id: "gate", Type: "human_approval"},
		{Id: "a", Type: "template", DependsOn: []string{"gate"}, Config: config(map[string]*structpb.Value{"template": str("a")})},
		{Id: "b", Type: "template", DependsOn: []string{"a"}, Config: config(map[string]*structpb.Value{"template": str("b")})},
	}
}

func workflow(ctx context.Context, c pb.WorkflowServiceClient, name string, steps []*pb.Step) string {
	w, err := c.CreateWorkflow(ctx, &pb.CreateWorkflowRequest{Workflow: &pb.Workflow{
		Name: fmt.Sprintf("%s-%d", name, time.Now().UnixNano()), Definition: &pb.WorkflowDefinition{Steps: steps}}})
	if err != nil {
		log.Fatalf("create workflow: %v", err)
	}
	return w.Id
}

func rss() string { return fmt.Sprint(benchkit.RSSKiB(*pid)) }

func report(key, value string) { fmt.Printf("%s=%s\n", key, value) }
