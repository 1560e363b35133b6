package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// QueueCostAndUsage hands moto the answers of an account's next distinct GetCostAndUsage
// requests, in the order the requests are first made: moto's Cost Explorer answers
// nothing until results are queued (POST /moto-api/static/ce/cost-and-usage-results).
func (s *Server) QueueCostAndUsage(ctx context.Context, accountID string, results ...map[string]any) error {
	body, err := json.Marshal(map[string]any{"account_id": accountID, "results": results})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/moto-api/static/ce/cost-and-usage-results", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("queue cost results: moto answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// QueueCosts is QueueCostAndUsage for a test, which fails if moto does not take them.
func (s *Server) QueueCosts(t testing.TB, accountID string, results ...map[string]any) {
	t.Helper()
	if err := s.QueueCostAndUsage(t.Context(), accountID, results...); err != nil {
		t.Fatal(err)
	}
}
