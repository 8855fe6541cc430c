// spindle-demo drives Spindle's WorkflowService from Go: it creates a workflow, updates its
// definition to make version 2, and diffs versions 1..2. It exits non-zero on any error.
//
//	clients/go/build.sh && clients/go/bin/spindle-demo -addr localhost:50051 -token "$TOKEN"
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/golang/protobuf/jsonpb"
	structpb "github.com/golang/protobuf/ptypes/struct"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	pb "spindle/clients/go/spindlev1"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "server address host:port")
	token := flag.String("token", os.Getenv("SPINDLE_TOKEN"), "bearer token (default $SPINDLE_TOKEN)")
	useTLS := flag.Bool("tls", false, "use TLS (system roots)")
	skipVerify := flag.Bool("insecure-skip-verify", false, "with -tls: do not verify the server certificate")
	timeout := flag.Duration("timeout", 10*time.Second, "deadline for the whole demo")
	flag.Parse()
	log.SetFlags(0)

	creds := grpc.WithInsecure()
	if *useTLS {
		creds = grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{InsecureSkipVerify: *skipVerify}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	conn, err := grpc.DialContext(ctx, *addr, creds, grpc.WithBlock())
	if err != nil {
		log.Fatalf("dial %s: %v", *addr, err)
	}
	defer conn.Close()
	if *token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+*token)
	}
	if err := run(ctx, pb.NewWorkflowServiceClient(conn)); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, c pb.WorkflowServiceClient) error {
	fetch := &pb.Step{Id: "fetch", Type: "http_request",
		Config: object(map[string]*structpb.Value{"method": str("GET"), "url": str("https://api.example.com/data")})}
	shape := &pb.Step{Id: "shape", Type: "transform", DependsOn: []string{"fetch"},
		Config: object(map[string]*structpb.Value{"expression": str("body.items")}),
		InputMappings: []*pb.InputMapping{{FromStep: "fetch", FromField: "body.items", ToField: "items"}}}
	created, err := c.CreateWorkflow(ctx, &pb.CreateWorkflowRequest{
		Workflow: &pb.Workflow{
			Name:        "Go demo: fetch and notify",
			TriggerType: pb.TriggerType_TRIGGER_TYPE_MANUAL,
			Definition:  &pb.WorkflowDefinition{Steps: []*pb.Step{fetch, shape}},
		},
		RequestId: fmt.Sprintf("spindle-demo-%d", time.Now().UnixNano()),
	})
	if err != nil {
		return fmt.Errorf("CreateWorkflow: %w", err)
	}
	fmt.Printf("created %s %q version %d etag %s\n", created.Id, created.Name, created.CurrentVersion, created.Etag)

	// Version 2: a new URL for fetch and a webhook step after shape.
	fetch.Config = object(map[string]*structpb.Value{"method": str("GET"), "url": str("https://api.example.com/v2/data")})
	notify := &pb.Step{Id: "notify", Type: "webhook", DependsOn: []string{"shape"},
		Config: object(map[string]*structpb.Value{"url": str("https://hooks.example.com/done")})}
	updated, err := c.UpdateWorkflow(ctx, &pb.UpdateWorkflowRequest{
		WorkflowId:    created.Id,
		Definition:    &pb.WorkflowDefinition{Steps: []*pb.Step{fetch, shape, notify}},
		ChangeSummary: "New API version, notify when done",
		ExpectedEtag:  created.Etag,
	})
	if err != nil {
		return fmt.Errorf("UpdateWorkflow: %w", err)
	}
	fmt.Printf("updated %s to version %d etag %s\n", updated.Id, updated.CurrentVersion, updated.Etag)
	if updated.CurrentVersion != created.CurrentVersion+1 {
		return fmt.Errorf("UpdateWorkflow: version %d, want %d", updated.CurrentVersion, created.CurrentVersion+1)
	}

	diff, err := c.DiffVersions(ctx, &pb.DiffVersionsRequest{
		WorkflowId: created.Id, FromVersion: created.CurrentVersion, ToVersion: updated.CurrentVersion,
	})
	if err != nil {
		return fmt.Errorf("DiffVersions: %w", err)
	}
	fmt.Printf("diff %d..%d: %s\n", diff.FromVersion, diff.ToVersion, diff.Summary)
	m := jsonpb.Marshaler{}
	for _, op := range diff.Operations {
		value := ""
		if op.Value != nil {
			if value, err = m.MarshalToString(op.Value); err != nil {
				return fmt.Errorf("DiffVersions: printing %s: %w", op.Path, err)
			}
		}
		fmt.Printf("  %-7s %s %s %s\n", op.Op, op.Path, op.From, value)
	}
	if len(diff.Operations) == 0 {
		return fmt.Errorf("DiffVersions: no operations between different definitions")
	}
	return nil
}

func str(s string) *structpb.Value { return &structpb.Value{Kind: &structpb.Value_StringValue{StringValue: s}} }

func object(fields map[string]*structpb.Value) *structpb.Struct { return &structpb.Struct{Fields: fields} }
