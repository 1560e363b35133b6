package fleet

import (
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// tagMap reads a kind's tags, as its SDK types them, into a map; kv gives one tag's key
// and value.
func tagMap[T any](tags []T, kv func(T) (key, value *string)) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := kv(t)
		m[aws.ToString(k)] = aws.ToString(v)
	}
	return m
}

// tagList writes m as a kind's tags, in key order; tag makes one.
func tagList[T any](m map[string]string, tag func(key, value *string) T) []T {
	var tags []T
	for _, k := range slices.Sorted(maps.Keys(m)) {
		tags = append(tags, tag(aws.String(k), aws.String(m[k])))
	}
	return tags
}
