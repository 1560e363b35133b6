package cost

import "fmt"

// Discounts says that the estimate is at list price; every output of the savings states it.
const Discounts = "Savings Plans, Reserved Instances and other discounts are ignored: " +
	"where they cover a stopped resource, the real saving is smaller, or nothing"

// RequestPrice is what Cost Explorer charges for each API request (each page of an
// answer), in PriceCurrency: 0.01 USD, on AWS's Cost Explorer pricing page.
const RequestPrice = 0.01

// PriceCurrency is the currency of the price table.
const PriceCurrency = "USD"

// Fargate's on-demand prices (Linux/x86, us-east-1) per vCPU-hour and per GB-hour.
// Source: https://aws.amazon.com/fargate/pricing/, as of 2025.
const (
	fargateVCPUHour = 0.04048
	fargateGBHour   = 0.004445
)

// fargateHourly prices one task of a Fargate size (history.FargateSize: CPU units and
// MiB): 1,024 units are a vCPU, 1,024 MiB a GB.
func fargateHourly(size string) (float64, bool) {
	var cpu, memory float64
	if _, err := fmt.Sscanf(size, "fargate %g/%g", &cpu, &memory); err != nil || cpu <= 0 || memory <= 0 {
		return 0, false
	}
	return cpu/1024*fargateVCPUHour + memory/1024*fargateGBHour, true
}
