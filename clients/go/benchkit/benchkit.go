// Package benchkit holds what the Go bench programs (spindle-runbench, spindle-wfbench) share:
// connections, percentiles, and CPU and memory readings of this process and of the server.
package benchkit

import (
	"context"
	"fmt"
	"io/ioutil"
	"log"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	pb "spindle/clients/go/spindlev1"
)

// Authorized is a background context whose calls carry "authorization: Bearer <token>"; with
// no token (a server started with --auth none), none: an empty "Bearer " value ends in a space,
// which HTTP/2 forbids, and the server resets the stream.
func Authorized(token string) context.Context {
	ctx := context.Background()
	if token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// Dial opens n plaintext connections to addr (each its own HTTP/2 connection), or exits.
func Dial(addr string, n int) []*grpc.ClientConn {
	var conns []*grpc.ClientConn
	for i := 0; i < n; i++ {
		conn, err := grpc.Dial(addr, grpc.WithInsecure(), grpc.WithBlock())
		if err != nil {
			log.Fatalf("dial: %v", err)
		}
		conns = append(conns, conn)
	}
	return conns
}

// Clients opens n connections and returns a RunService client on each, a WorkflowService
// client on the first, and a function closing them all.
func Clients(addr string, n int) ([]pb.RunServiceClient, pb.WorkflowServiceClient, func()) {
	conns := Dial(addr, n)
	var runs []pb.RunServiceClient
	for _, c := range conns {
		runs = append(runs, pb.NewRunServiceClient(c))
	}
	return runs, pb.NewWorkflowServiceClient(conns[0]), func() {
		for _, c := range conns {
			c.Close()
		}
	}
}

// Pct is the p-th percentile of xs (0 when empty).
func Pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(float64(len(s)) * p / 100)
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

// SelfCPU is the user + system time this process has used.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ProcessCPU is the user + system time process pid has used, from /proc (0 without a pid).
func ProcessCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndex(s, ")")+1:])
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// RSSKiB is process pid's resident set size (0 without a pid).
func RSSKiB(pid int) int {
	if pid <= 0 {
		return 0
	}
	b, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(strings.TrimPrefix(line, "VmRSS:"))[0])
			return n
		}
	}
	return 0
}
