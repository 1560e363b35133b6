package cost

import (
	"cmp"
	"fmt"

	"github.com/curfew/curfew/internal/history"
)

// Discounts says that the estimate is at list price; every output of the savings states it.
const Discounts = "Savings Plans, Reserved Instances and other discounts are ignored: " +
	"where they cover a stopped resource, the real saving is smaller, or nothing"

// RequestPrice is what Cost Explorer charges for each API request (each page of an
// answer), in PriceCurrency: 0.01 USD, on AWS's Cost Explorer pricing page.
const RequestPrice = 0.01

// PriceCurrency is the currency of the price table.
const PriceCurrency = "USD"

// Fargate's on-demand prices in us-east-1 per vCPU-hour and per GB-hour, by operating
// system and CPU architecture; Windows adds a licence fee per vCPU-hour. Source:
// https://aws.amazon.com/fargate/pricing/, as of 2025 (Linux/x86 0.04048 and 0.004445,
// Linux/ARM 0.03238 and 0.00356, Windows/x86 0.09148 and 0.01005 plus 0.046).
var fargateRates = map[fargatePlatform]struct{ vCPU, gb, licence float64 }{
	{"Linux/UNIX", "X86_64"}: {0.04048, 0.004445, 0},
	{"Linux/UNIX", "ARM64"}:  {0.03238, 0.00356, 0},
	{"Windows", "X86_64"}:    {0.09148, 0.01005, 0.046},
}

// fargatePlatform is a Fargate task's operating system and CPU architecture, as the run
// history records them (history.Dimensions.Platform, Architecture).
type fargatePlatform struct{ os, arch string }

// fargateHourly prices one task of a Fargate size (history.FargateSize: CPU units and
// MiB) on its platform: 1,024 units are a vCPU, 1,024 MiB a GB. A task of a run written
// before its platform was recorded is priced as Linux/x86; a platform without rates
// (Windows on ARM, which Fargate does not run) has no price.
func fargateHourly(size string, d history.Dimensions) (float64, bool) {
	var cpu, memory float64
	if _, err := fmt.Sscanf(size, "fargate %g/%g", &cpu, &memory); err != nil || cpu <= 0 || memory <= 0 {
		return 0, false
	}
	p := fargatePlatform{cmp.Or(d.Platform, "Linux/UNIX"), cmp.Or(d.Architecture, "X86_64")}
	r, ok := fargateRates[p]
	if !ok {
		return 0, false
	}
	vCPU := cpu / 1024
	return vCPU*(r.vCPU+r.licence) + memory/1024*r.gb, true
}
