// Package leasetest lets tests race leases against moto. S3 documents a conditional write
// as atomic: of two writers with If-None-Match: * (or If-Match on one ETag), one gets 412.
// moto 5.2.5 checks the condition and stores the object in two steps, without a lock, on a
// threaded server (moto/s3/responses.py, put_object and delete_object), so two writers can
// both win there. Tests send their conditional writes one at a time, making moto answer as
// S3 documents; everything else still runs at once.
package leasetest

import (
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// mu is shared by every client of the test binary, as S3's atomicity is per object, not per client.
var mu sync.Mutex

// AtomicConditionalWrites returns cfg with an HTTP client that sends conditional PUTs and
// DELETEs one at a time.
func AtomicConditionalWrites(cfg aws.Config) aws.Config {
	next := cfg.HTTPClient
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	cfg.HTTPClient = atomic{next}
	return cfg
}

type atomic struct{ next aws.HTTPClient }

func (a atomic) Do(r *http.Request) (*http.Response, error) {
	conditional := r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Match") != ""
	if conditional && (r.Method == http.MethodPut || r.Method == http.MethodDelete) {
		// moto answers once the object is stored (or the condition failed): the lock
		// covers the whole check and write.
		mu.Lock()
		defer mu.Unlock()
	}
	return a.next.Do(r)
}
