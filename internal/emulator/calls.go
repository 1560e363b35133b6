package emulator

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Calls counts the AWS operations that clients start, by "Service Operation" (EC2
// StopInstances), once per operation whatever its retries: add Count to a config's
// APIOptions. The zero value is ready to use and safe for concurrent clients.
type Calls struct {
	mu sync.Mutex
	n  map[string]int
}

// Count is the SDK middleware that counts.
func (c *Calls) Count(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("curfew-call-count",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			if c.n == nil {
				c.n = map[string]int{}
			}
			c.n[awsmiddleware.GetServiceID(ctx)+" "+awsmiddleware.GetOperationName(ctx)]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// Of is how many times operation ("EC2 StopInstances") was started.
func (c *Calls) Of(operation string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[operation]
}

// Total is how many operations were started.
func (c *Calls) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.n {
		n += v
	}
	return n
}

// Counts are the counts by operation, a copy.
func (c *Calls) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// String lists the counts in operation order: "EC2 DescribeInstances=2 STS AssumeRole=1".
func (c *Calls) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c.n)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, c.n[k]))
	}
	return strings.Join(parts, " ")
}
