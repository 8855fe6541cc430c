// Package worker runs Spindle `task` steps in Go code, over one WorkerService.Connect stream.
//
//	w := worker.New("localhost:50051", token, []string{"images"}, 4)
//	w.Handle("resize", func(ctx context.Context, t *worker.Task) (interface{}, error) {
//		t.Heartbeat(map[string]interface{}{"done": 0.5}) // progress, shown in GetRun
//		select {
//		case <-time.After(time.Second):
//			return map[string]interface{}{"ok": true}, nil
//		case <-ctx.Done(): // CancelRun, the step's timeout, or shutdown
//			return nil, ctx.Err()
//		}
//	})
//	err := w.Run(ctx) // until ctx is done: then no new task, running ones get ShutdownGrace
//
// The worker grants the server one credit per free slot, so it never holds more than its
// concurrency; heartbeats are sent on their own; a lost stream is reconnected with backoff
// and the new hello names the tasks still held (finished ones are sent again until acked).
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/golang/protobuf/jsonpb"
	structpb "github.com/golang/protobuf/ptypes/struct"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	pb "spindle/clients/go/spindlev1"
)

// Handler runs one task. Its context is canceled when the server cancels the task (CancelRun,
// a step timeout) or the worker shuts down; the returned value (any JSON-marshalable value)
// is the step's output. Return an *Error to choose the failure's code and retryability.
type Handler func(ctx context.Context, t *Task) (interface{}, error)

// Error is a task failure with a code (the step error's code) and whether retries apply.
type Error struct {
	Code      string
	Message   string
	Retryable bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Task is one attempt of a task step.
type Task struct {
	ID, RunID, WorkflowID, StepID, Queue, Type string
	Attempt                                    int32
	// Payload is the step's input, decoded from JSON.
	Payload interface{}
	lease   string
	w       *Worker
	hbEvery time.Duration
}

// Heartbeat renews the lease now; details (nil for none) become the step's progress.
func (t *Task) Heartbeat(details interface{}) {
	hb := &pb.TaskHeartbeat{TaskId: t.ID, Attempt: t.Attempt}
	if details != nil {
		if v, err := toValue(details); err == nil {
			hb.Details = v
		}
	}
	t.w.send(&pb.WorkerMessage{Kind: &pb.WorkerMessage_Heartbeat{Heartbeat: hb}})
}

// Worker serves queues of one tenant (its token's).
type Worker struct {
	Addr, Token string
	Queues      []string
	Concurrency int
	ID          string
	Labels      map[string]string
	DialOptions []grpc.DialOption
	MaxBackoff  time.Duration
	// ShutdownGrace: how long running tasks may finish once Run's context is done.
	ShutdownGrace time.Duration
	Logf          func(format string, args ...interface{})
	// OnTask, if set, is called as each task arrives (before its handler starts).
	OnTask func(t *Task)

	handlers map[string]Handler
	mu       sync.Mutex
	running  map[string]*running
	unacked  map[string]unacked
	out      chan *pb.WorkerMessage
	draining bool
}

type running struct {
	task   *Task
	cancel context.CancelFunc
}

type unacked struct {
	msg   *pb.WorkerMessage
	lease string
}

// New makes a worker; Handle registers its task types, Run serves them.
func New(addr, token string, queues []string, concurrency int) *Worker {
	host, _ := os.Hostname()
	return &Worker{Addr: addr, Token: token, Queues: queues, Concurrency: concurrency,
		ID: fmt.Sprintf("go-%s-%d", host, os.Getpid()), MaxBackoff: 5 * time.Second, ShutdownGrace: 10 * time.Second,
		Logf: func(string, ...interface{}) {}, handlers: map[string]Handler{},
		running: map[string]*running{}, unacked: map[string]unacked{}}
}

// Handle registers the handler of a task type ("" for any type without its own).
func (w *Worker) Handle(taskType string, h Handler) { w.handlers[taskType] = h }

// Run connects, reconnecting with backoff, until ctx is done; then it drains (see Worker).
func (w *Worker) Run(ctx context.Context) error {
	opts := append([]grpc.DialOption{grpc.WithInsecure()}, w.DialOptions...)
	conn, err := grpc.Dial(w.Addr, opts...)
	if err != nil {
		return err
	}
	defer conn.Close()
	client := pb.NewWorkerServiceClient(conn)
	sessionCtx, stopSessions := context.WithCancel(context.Background())
	defer stopSessions()
	done := make(chan struct{})
	go func() {
		defer close(done)
		backoff := 50 * time.Millisecond
		for sessionCtx.Err() == nil {
			started := time.Now()
			if err := w.session(sessionCtx, client); err != nil && sessionCtx.Err() == nil {
				w.Logf("worker %s: stream ended: %v", w.ID, err)
			}
			if time.Since(started) > 5*time.Second {
				backoff = 50 * time.Millisecond
			}
			select {
			case <-sessionCtx.Done():
				return
			case <-time.After(backoff):
			}
			if backoff *= 2; backoff > w.MaxBackoff {
				backoff = w.MaxBackoff
			}
		}
	}()
	<-ctx.Done()
	w.drain()
	stopSessions()
	<-done
	return nil
}

// drain: no new credit; running tasks get ShutdownGrace, then are canceled and handed back.
func (w *Worker) drain() {
	w.mu.Lock()
	w.draining = true
	w.mu.Unlock()
	deadline := time.Now().Add(w.ShutdownGrace)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		n := len(w.running)
		w.mu.Unlock()
		if n == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.mu.Lock()
	left := make([]*running, 0, len(w.running))
	for _, r := range w.running {
		left = append(left, r)
	}
	w.mu.Unlock()
	for _, r := range left {
		r.cancel()
		w.finish(r.task, nil, &Error{Code: "WORKER_SHUTDOWN", Message: "the worker shut down", Retryable: true})
	}
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		w.mu.Lock()
		n := len(w.unacked)
		w.mu.Unlock()
		if n == 0 {
			return
		}
	}
}

func (w *Worker) send(m *pb.WorkerMessage) {
	w.mu.Lock()
	out := w.out
	w.mu.Unlock()
	if out != nil {
		select {
		case out <- m:
		case <-time.After(5 * time.Second):
			// The session is wedged: results stay in unacked and go again on reconnect.
		}
	}
}

func (w *Worker) session(ctx context.Context, client pb.WorkerServiceClient) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if w.Token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+w.Token)
	}
	stream, err := client.Connect(ctx)
	if err != nil {
		return err
	}
	w.mu.Lock()
	hello := &pb.WorkerHello{WorkerId: w.ID, Queues: w.Queues, MaxConcurrent: int32(w.Concurrency), Labels: w.Labels}
	for id, r := range w.running {
		hello.Held = append(hello.Held, &pb.HeldTask{TaskId: id, Attempt: r.task.Attempt, LeaseId: r.task.lease})
	}
	for id, u := range w.unacked {
		hello.Held = append(hello.Held, &pb.HeldTask{TaskId: id, Attempt: attemptOf(u.msg), LeaseId: u.lease})
	}
	if !w.draining {
		if free := w.Concurrency - len(w.running) - len(w.unacked); free > 0 {
			hello.Credits = int32(free)
		}
	}
	out := make(chan *pb.WorkerMessage, 4*w.Concurrency+64)
	w.out = out
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		if w.out == out {
			w.out = nil
		}
		w.mu.Unlock()
	}()
	if err := stream.Send(&pb.WorkerMessage{Kind: &pb.WorkerMessage_Hello{Hello: hello}}); err != nil {
		return err
	}
	// One writer: grpc-go streams take one Send at a time.
	sendErr := make(chan error, 1)
	go func() {
		for {
			select {
			case <-ctx.Done():
				stream.CloseSend()
				sendErr <- ctx.Err()
				return
			case m := <-out:
				if err := stream.Send(m); err != nil {
					sendErr <- err
					return
				}
			}
		}
	}()
	for {
		msg, err := stream.Recv()
		if err != nil {
			return err
		}
		switch k := msg.Kind.(type) {
		case *pb.ServerMessage_Welcome:
			kept := map[string]bool{}
			for _, id := range k.Welcome.KeptTaskIds {
				kept[id] = true
			}
			w.mu.Lock()
			for id, u := range w.unacked {
				if kept[id] {
					out <- u.msg
				} else {
					delete(w.unacked, id)
				}
			}
			for id, r := range w.running {
				if !kept[id] {
					r.cancel()
				}
			}
			w.mu.Unlock()
		case *pb.ServerMessage_Task:
			w.start(k.Task)
		case *pb.ServerMessage_Cancel:
			w.mu.Lock()
			if r := w.running[k.Cancel.TaskId]; r != nil {
				r.cancel()
			}
			w.mu.Unlock()
		case *pb.ServerMessage_Ack:
			w.mu.Lock()
			delete(w.unacked, k.Ack.TaskId)
			draining := w.draining
			w.mu.Unlock()
			if !draining {
				out <- &pb.WorkerMessage{Kind: &pb.WorkerMessage_Credit{Credit: &pb.WorkerCredit{Credits: 1}}}
			}
		}
		select {
		case err := <-sendErr:
			return err
		default:
		}
	}
}

func attemptOf(m *pb.WorkerMessage) int32 {
	if r := m.GetResult(); r != nil {
		return r.Attempt
	}
	return m.GetFailure().GetAttempt()
}

func (w *Worker) start(p *pb.Task) {
	t := &Task{ID: p.TaskId, RunID: p.RunId, WorkflowID: p.WorkflowId, StepID: p.StepId, Queue: p.Queue, Type: p.TaskType,
		Attempt: p.Attempt, lease: p.LeaseId, w: w, hbEvery: time.Duration(p.HeartbeatTimeoutMs) * time.Millisecond / 3}
	if p.Payload != nil {
		t.Payload, _ = fromValue(p.Payload)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.mu.Lock()
	w.running[t.ID] = &running{task: t, cancel: cancel}
	draining := w.draining
	w.mu.Unlock()
	if w.OnTask != nil {
		w.OnTask(t)
	}
	h := w.handlers[t.Type]
	if h == nil {
		h = w.handlers[""]
	}
	switch {
	case draining:
		w.finish(t, nil, &Error{Code: "WORKER_SHUTDOWN", Message: "the worker is shutting down", Retryable: true})
		return
	case h == nil:
		w.finish(t, nil, &Error{Code: "TASK_FAILED", Message: "no handler for task type " + t.Type})
		return
	}
	go func() {
		defer cancel()
		if t.hbEvery > 0 {
			go func() {
				tick := time.NewTicker(t.hbEvery)
				defer tick.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case <-tick.C:
						t.Heartbeat(nil)
					}
				}
			}()
		}
		out, err := h(ctx, t)
		if err != nil && ctx.Err() != nil && !errors.As(err, new(*Error)) {
			err = &Error{Code: "CANCELED", Message: err.Error()}
		}
		w.finish(t, out, err)
	}()
}

func (w *Worker) finish(t *Task, out interface{}, err error) {
	var msg *pb.WorkerMessage
	if err == nil {
		v, verr := toValue(out)
		if verr != nil {
			err = &Error{Code: "TASK_FAILED", Message: "the output is not JSON: " + verr.Error()}
		} else {
			msg = &pb.WorkerMessage{Kind: &pb.WorkerMessage_Result{Result: &pb.TaskResult{TaskId: t.ID, Attempt: t.Attempt, Output: v}}}
		}
	}
	if err != nil {
		f := &pb.TaskFailure{TaskId: t.ID, Attempt: t.Attempt, Code: "TASK_FAILED", Message: err.Error(), Retryable: true}
		var e *Error
		if errors.As(err, &e) {
			f.Code, f.Message, f.Retryable = e.Code, e.Message, e.Retryable
		}
		msg = &pb.WorkerMessage{Kind: &pb.WorkerMessage_Failure{Failure: f}}
	}
	w.mu.Lock()
	if _, ok := w.running[t.ID]; !ok {
		w.mu.Unlock()
		return
	}
	delete(w.running, t.ID)
	w.unacked[t.ID] = unacked{msg: msg, lease: t.lease}
	w.mu.Unlock()
	w.send(msg)
}

func toValue(x interface{}) (*structpb.Value, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	v := &structpb.Value{}
	return v, jsonpb.UnmarshalString(string(b), v)
}

func fromValue(v *structpb.Value) (interface{}, error) {
	s, err := (&jsonpb.Marshaler{}).MarshalToString(v)
	if err != nil {
		return nil, err
	}
	var x interface{}
	return x, json.Unmarshal([]byte(s), &x)
}
