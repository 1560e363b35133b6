// Package table writes rows of cells aligned in columns, as curfew's commands print
// them: two spaces apart, without trailing blanks.
package table

import (
	"bytes"
	"io"
	"strings"
	"text/tabwriter"
)

// Table aligns tab-separated cells in columns two spaces apart, without the trailing
// blanks tabwriter leaves after an empty last cell.
type Table struct {
	out io.Writer
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

// New returns a table that writes to out on Flush.
func New(out io.Writer) *Table {
	t := &Table{out: out}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 4, 2, ' ', 0)
	return t
}

// Row writes one row of cells.
func (t *Table) Row(cells ...string) {
	io.WriteString(t.tw, strings.Join(cells, "\t")+"\n")
}

// Flush writes the aligned table.
func (t *Table) Flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	lines := strings.SplitAfter(t.buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.TrimSuffix(l, "\n"), " ")
		if strings.HasSuffix(l, "\n") {
			lines[i] += "\n"
		}
	}
	_, err := io.WriteString(t.out, strings.Join(lines, ""))
	return err
}

// Cell joins the non-empty parts of one cell, a row's notes, with "; ".
func Cell(parts ...string) string { return JoinNonEmpty("; ", parts...) }

// JoinNonEmpty joins the parts that are not empty with sep.
func JoinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
