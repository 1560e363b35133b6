package accounts

import (
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The known regions come from the partition data of the AWS SDK for Go v2 at the version
// go.mod pins. The SDK keeps that data in an internal package, so regions_gen.go holds a
// copy, and TestKnownRegionsMatchSDK fails whenever the copy and the pinned module differ
// (after a version bump: go generate ./internal/accounts/).
//go:generate go test -run ^TestKnownRegionsMatchSDK$ -update .

// partition is one AWS partition: its region names and the pattern its future regions
// will follow.
type partition struct {
	id          string
	regionRegex string
	regions     []string
}

var regionPatterns = sync.OnceValue(func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(sdkPartitions))
	for i, p := range sdkPartitions {
		out[i] = regexp.MustCompile(p.regionRegex)
	}
	return out
})

// KnownRegion reports whether the pinned AWS SDK knows the region.
func KnownRegion(name string) bool {
	for _, p := range sdkPartitions {
		if _, found := slices.BinarySearch(p.regions, name); found {
			return true
		}
	}
	return false
}

// partitionNames lists the SDK's partitions, e.g. "aws, aws-cn, aws-us-gov".
func partitionNames() string {
	names := make([]string, len(sdkPartitions))
	for i, p := range sdkPartitions {
		names[i] = p.id
	}
	return strings.Join(names, ", ")
}

// knownRegionCount is the number of regions the pinned SDK knows.
func knownRegionCount() int {
	n := 0
	for _, p := range sdkPartitions {
		n += len(p.regions)
	}
	return n
}

// regionShaped reports whether name follows the region pattern of a partition, as a
// region newer than the SDK must.
func regionShaped(name string) bool {
	return slices.ContainsFunc(regionPatterns(), func(re *regexp.Regexp) bool { return re.MatchString(name) })
}

// nearestRegion returns the known region closest to name in edit distance, and "" when
// none is close enough to be the likely intent.
func nearestRegion(name string) string {
	best, bestDistance := "", 4 // farther than three edits is a different name, not a typo
	for _, p := range sdkPartitions {
		for _, r := range p.regions {
			if d := editDistance(name, r); d < bestDistance {
				best, bestDistance = r, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
