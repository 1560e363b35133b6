package profiles

import (
	"fmt"
	"strings"
)

// contextLines is how many unchanged lines a diff shows around each change.
const contextLines = 3

type opKind byte

const (
	opEqual  opKind = ' '
	opDelete opKind = '-'
	opInsert opKind = '+'
)

type op struct {
	kind opKind
	line string // with its line ending, if any
	a, b int    // 0-based line numbers in a and b before this op
}

// Diff returns a unified diff from a to b with three lines of context, or "" when they
// are equal. Config files are small, so a quadratic longest-common-subsequence is enough.
func Diff(aName, bName string, a, b []byte) string {
	if string(a) == string(b) {
		return ""
	}
	ops := editScript(asStrings(lines(a)), asStrings(lines(b)))
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for i := 0; i < len(ops); {
		if ops[i].kind == opEqual {
			i++
			continue
		}
		// A hunk runs from contextLines before the first change to contextLines after the
		// last change that is no more than 2*contextLines equal lines from the next one.
		first := max(0, i-contextLines)
		last := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != opEqual {
				last = j
			} else if j-last > 2*contextLines {
				break
			}
		}
		stop := min(len(ops), last+contextLines+1)
		writeHunk(&out, ops[first:stop])
		i = stop
	}
	return out.String()
}

func writeHunk(out *strings.Builder, ops []op) {
	var aLen, bLen int
	for _, o := range ops {
		if o.kind != opInsert {
			aLen++
		}
		if o.kind != opDelete {
			bLen++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(ops[0].a, aLen), hunkRange(ops[0].b, bLen))
	for _, o := range ops {
		text, ended := strings.CutSuffix(o.line, "\n")
		text = strings.TrimSuffix(text, "\r")
		fmt.Fprintf(out, "%c%s\n", o.kind, text)
		if !ended {
			out.WriteString("\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats a hunk's start and length the way diff -u does: an empty range
// names the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// editScript turns a into b with the fewest deletions and insertions.
func editScript(a, b []string) []op {
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, op{opEqual, a[i], i, j})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{opDelete, a[i], i, j})
			i++
		default:
			ops = append(ops, op{opInsert, b[j], i, j})
			j++
		}
	}
	return ops
}

func asStrings(lines [][]byte) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = string(l)
	}
	return out
}
