package report

import (
	"slices"
	"testing"
)

// No two labels of an amount axis are alike, whatever its range: a cent-level account
// once showed "0.00" four times.
func TestAmountTicksAreDistinct(t *testing.T) {
	tests := []struct {
		min, max float64
		want     []string
	}{
		{0, 0.004, []string{"0.00"}},
		{0, 0.03, []string{"0.00", "0.01", "0.02", "0.03"}},
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{0, 2.1, []string{"0.0", "0.5", "1.0", "1.5", "2.0"}},
		{0, 3.4, []string{"0", "1", "2", "3"}},
		{0, 223, []string{"0", "50", "100", "150", "200"}},
		{0, 12_345, []string{"0", "2,500", "5,000", "7,500", "10,000"}},
		{0, 0.05, []string{"0.00", "0.01", "0.02", "0.03", "0.04", "0.05"}},
	}
	for _, tt := range tests {
		var labels []string
		for _, tick := range (amountTicks{}).Ticks(tt.min, tt.max) {
			if tick.Label != "" {
				labels = append(labels, tick.Label)
			}
		}
		if !slices.Equal(labels, tt.want) {
			t.Errorf("ticks of %v..%v = %q, want %q", tt.min, tt.max, labels, tt.want)
		}
	}
}
