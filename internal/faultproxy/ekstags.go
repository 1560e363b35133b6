package faultproxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// EKSNodegroupTags returns rules that give EKS managed node groups the tagging moto
// 5.2.5 lacks (its TagResource and UntagResource know clusters only and answer "Resource
// was not found" for a node group), answered as the EKS API reference documents them:
// TagResource (POST /tags/{resourceArn}, body {"tags": {...}}) adds or overwrites tags
// and answers {}; UntagResource (DELETE /tags/{resourceArn}?tagKeys=...) removes them
// and answers {}; ListTagsForResource (GET /tags/{resourceArn}) and DescribeNodegroup
// (its "tags") show the result. The tags live in the rules, over the tags moto holds from
// the node group's creation; calls on clusters still reach moto. Unlike EKS, the layer
// does not check that the node group exists.
func EKSNodegroupTags() []Rule {
	t := &nodegroupTags{byARN: map[string]map[string]*string{}}
	nodegroupARN := func(c Call) (string, bool) {
		arn, ok := strings.CutPrefix(c.Path, "/tags/")
		return arn, ok && strings.Contains(arn, ":nodegroup/")
	}
	isTagCall := func(method string) func(Call) bool {
		return func(c Call) bool {
			_, ok := nodegroupARN(c)
			return ok && c.Method == method
		}
	}
	return []Rule{
		{Service: "eks", Kind: Handle, Match: isTagCall(http.MethodPost), Respond: func(c Call) (int, string) {
			arn, _ := nodegroupARN(c)
			var in struct {
				Tags map[string]string `json:"tags"`
			}
			if err := json.Unmarshal(c.Body, &in); err != nil || len(in.Tags) == 0 {
				return http.StatusBadRequest, `{"__type":"InvalidParameterException","message":"tags are required"}`
			}
			t.set(arn, in.Tags)
			return http.StatusOK, `{}`
		}},
		{Service: "eks", Kind: Handle, Match: isTagCall(http.MethodDelete), Respond: func(c Call) (int, string) {
			arn, _ := nodegroupARN(c)
			keys := c.Query["tagKeys"]
			if len(keys) == 0 {
				return http.StatusBadRequest, `{"__type":"InvalidParameterException","message":"tagKeys are required"}`
			}
			t.remove(arn, keys)
			return http.StatusOK, `{}`
		}},
		{Service: "eks", Kind: Handle, Match: isTagCall(http.MethodGet), Respond: func(c Call) (int, string) {
			arn, _ := nodegroupARN(c)
			out, _ := json.Marshal(map[string]any{"tags": t.apply(arn, map[string]any{})})
			return http.StatusOK, string(out)
		}},
		{Service: "eks", Kind: Rewrite, Match: func(c Call) bool {
			return c.Method == http.MethodGet && strings.HasPrefix(c.Path, "/clusters/") && strings.Contains(c.Path, "/node-groups/")
		}, Rewrite: func(_ Call, body []byte) []byte {
			var out map[string]any
			if json.Unmarshal(body, &out) != nil {
				return body
			}
			ng, ok := out["nodegroup"].(map[string]any)
			if !ok {
				return body
			}
			arn, _ := ng["nodegroupArn"].(string)
			tags, _ := ng["tags"].(map[string]any)
			if tags == nil {
				tags = map[string]any{}
			}
			ng["tags"] = t.apply(arn, tags)
			data, err := json.Marshal(out)
			if err != nil {
				return body
			}
			return data
		}},
	}
}

// nodegroupTags are the tags set and removed on node groups, by ARN: a nil value is a
// tag removed.
type nodegroupTags struct {
	mu    sync.Mutex
	byARN map[string]map[string]*string
}

func (t *nodegroupTags) set(arn string, tags map[string]string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.of(arn)
	for k, v := range tags {
		m[k] = &v
	}
}

func (t *nodegroupTags) remove(arn string, keys []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.of(arn)
	for _, k := range keys {
		m[k] = nil
	}
}

// of returns the changes of arn; callers hold t.mu.
func (t *nodegroupTags) of(arn string) map[string]*string {
	m, ok := t.byARN[arn]
	if !ok {
		m = map[string]*string{}
		t.byARN[arn] = m
	}
	return m
}

// apply puts the changes of arn over tags.
func (t *nodegroupTags) apply(arn string, tags map[string]any) map[string]any {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, v := range t.byARN[arn] {
		if v == nil {
			delete(tags, k)
		} else {
			tags[k] = *v
		}
	}
	return tags
}
