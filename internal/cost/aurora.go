package cost

import (
	"cmp"
	"context"
	"slices"

	"github.com/curfew/curfew/internal/history"
)

// ServerlessClass is the DB instance class of an Aurora Serverless v2 instance.
const ServerlessClass = "db.serverless"

// Why a stopped Aurora cluster is counted in hours but not priced.
const (
	// AuroraNoMembers: the run was written before member classes were recorded.
	AuroraNoMembers = "member classes not recorded"
	// AuroraServerless: a db.serverless member is billed by the capacity units it used,
	// which the history does not hold.
	AuroraServerless = "Serverless v2 member, billed by capacity used"
	AuroraNoEngine   = "engine not Aurora MySQL or PostgreSQL"
	AuroraTableOnly  = "no Aurora price in the bundled table"
	// AuroraNoStorage: the run was written before the cluster's storage type was recorded,
	// and AWS prices Standard and I/O-Optimized instances differently.
	AuroraNoStorage = "storage type not recorded"
)

// auroraEngines are the cluster engines the price list prices as Aurora.
var auroraEngines = []string{"aurora", "aurora-mysql", "aurora-postgresql"}

// priceResource is the hourly price of one stopped resource of kind in region. A stopped
// Aurora cluster is billed as its member instances, so it is the sum of its members'
// prices for the cluster's engine, and only when every one of them is priced as itself
// (AWS's price list, or a table row of its own region, class and engine): another
// engine's price is not Aurora's, and a cluster partly priced would be understated
// without saying so. Spot or mixed capacity of a group, node group or service has no
// price (capacityUnpriced). why says why a cluster or such capacity has no price.
func priceResource(ctx context.Context, prices Prices, kind, region, size string, dims history.Dimensions, members []string) (p Price, ok bool, why string) {
	if why := capacityUnpriced(kind, dims); why != "" {
		return Price{}, false, why
	}
	if kind != history.AuroraCluster {
		p, ok = prices.Hourly(ctx, PriceQuery{Kind: kind, Region: region, Size: size, Dims: dims})
		return p, ok, ""
	}
	switch {
	case len(members) == 0:
		return Price{}, false, AuroraNoMembers
	case slices.Contains(members, ServerlessClass):
		return Price{}, false, AuroraServerless
	case !slices.Contains(auroraEngines, dims.Engine):
		return Price{}, false, AuroraNoEngine
	case dims.Storage == "":
		return Price{}, false, AuroraNoStorage
	}
	sum := Price{Listed: true}
	for _, class := range members {
		m, ok := prices.Hourly(ctx, PriceQuery{Kind: history.RDSInstance, Region: region, Size: class, Dims: history.Dimensions{Engine: dims.Engine, Storage: dims.Storage}})
		switch {
		// AWS's price list, or a table row of the member's own region, class and engine.
		case ok && (m.Listed || len(m.Gaps) == 0):
			sum.USD += m.USD
			sum.Listed = sum.Listed && m.Listed
			sum.Fallback = cmp.Or(sum.Fallback, m.Fallback)
		case m.Fallback != "":
			return Price{}, false, AuroraTableOnly + ": " + m.Fallback
		default:
			return Price{}, false, AuroraTableOnly
		}
	}
	return sum, true, ""
}
