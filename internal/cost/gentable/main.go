// Command gentable generates curfew's bundled price table from AWS's public price list
// files (regional offer files in CSV, as `make price-table` downloads them):
//
//	go run ./internal/cost/gentable -offers .tools/offers -regions us-east-1,eu-west-1 -out internal/cost/pricetable.json
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/curfew/curfew/internal/cost/pricetable"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gentable:", err)
		os.Exit(1)
	}
}

// run generates the table and writes it to -out only once every file has been read: a
// malformed file leaves -out as it was.
func run(args []string, log io.Writer) error {
	fs := flag.NewFlagSet("gentable", flag.ContinueOnError)
	fs.SetOutput(log)
	offers := fs.String("offers", "", "the folder of offer files, <offers>/<AmazonEC2|AmazonRDS>/<region>/index.csv")
	regions := fs.String("regions", "", "the regions to read, separated by commas or spaces; us-east-1 among them")
	out := fs.String("out", "", "the table to write, e.g. internal/cost/pricetable.json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var missing []string
	for _, flag := range []struct{ name, value string }{{"-offers", *offers}, {"-regions", *regions}, {"-out", *out}} {
		if flag.value == "" {
			missing = append(missing, flag.name)
		}
	}
	if len(missing) > 0 || fs.NArg() > 0 {
		return fmt.Errorf("usage: gentable -offers DIR -regions us-east-1,eu-west-1 -out FILE (missing %s, extra %q)", strings.Join(missing, ", "), fs.Args())
	}
	f, err := pricetable.Generate(*offers, strings.FieldsFunc(*regions, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }))
	if err != nil {
		return err
	}
	if err := writeFile(*out, f); err != nil {
		return err
	}
	for _, o := range f.Offers {
		fmt.Fprintf(log, "%s %s published %s (version %s): %d keys left out for two different prices\n",
			o.Code, o.Region, o.Published.Format(time.RFC3339), o.Version, o.LeftOut)
	}
	fmt.Fprintf(log, "wrote %s: %d EC2 and %d RDS groups of prices for %d regions\n", *out, len(f.EC2), len(f.RDS), len(f.Regions))
	return nil
}

// writeFile writes the table beside path and renames it into place, so that path holds
// the old table or the whole new one, never a part.
func writeFile(path string, f *pricetable.File) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pricetable-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := pricetable.Write(tmp, f); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
