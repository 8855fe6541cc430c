// spindle-worker serves a Spindle task queue from Go (clients/go/worker): the runnable example
// of the README, the Go side of the live tests and the worker of bench/tasks.py.
//
//	clients/go/build.sh && clients/go/bin/spindle-worker -addr localhost:50051 -token "$TOKEN" -queue go
//
// Task types: "upper" returns the payload's "text" upper-cased, "sleep" waits the payload's
// "ms" (or until canceled), anything else returns {"echo": payload, "worker": id}.
// -stats FILE writes, at exit, the count and the receive time (unix ns) of every task.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"spindle/clients/go/worker"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "server address host:port")
	token := flag.String("token", os.Getenv("SPINDLE_TOKEN"), "bearer token (default $SPINDLE_TOKEN)")
	queue := flag.String("queue", "go", "queue(s) to serve, comma-separated")
	concurrency := flag.Int("concurrency", 4, "tasks at once")
	id := flag.String("id", "", "worker id (default go-<host>-<pid>)")
	stats := flag.String("stats", "", "write receive times of every task to this file at exit")
	flag.Parse()
	log.SetFlags(0)

	w := worker.New(*addr, *token, strings.Split(*queue, ","), *concurrency)
	if *id != "" {
		w.ID = *id
	}
	w.Logf = log.Printf
	var mu sync.Mutex
	recv := map[string]int64{}
	if *stats != "" {
		w.OnTask = func(t *worker.Task) {
			now := time.Now().UnixNano()
			mu.Lock()
			recv[t.ID] = now
			mu.Unlock()
		}
	}
	w.Handle("upper", func(ctx context.Context, t *worker.Task) (interface{}, error) {
		p, _ := t.Payload.(map[string]interface{})
		s, _ := p["text"].(string)
		return map[string]interface{}{"text": strings.ToUpper(s), "worker": w.ID}, nil
	})
	w.Handle("sleep", func(ctx context.Context, t *worker.Task) (interface{}, error) {
		p, _ := t.Payload.(map[string]interface{})
		ms, _ := p["ms"].(float64)
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			return map[string]interface{}{"slept_ms": ms}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	w.Handle("", func(ctx context.Context, t *worker.Task) (interface{}, error) {
		return map[string]interface{}{"echo": t.Payload, "worker": w.ID}, nil
	})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	fmt.Println("worker", w.ID, "serving", *queue)
	if err := w.Run(ctx); err != nil {
		log.Fatal(err)
	}
	if *stats != "" {
		mu.Lock()
		b, _ := json.Marshal(recv)
		mu.Unlock()
		if err := os.WriteFile(*stats, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
