// Package snoozelink is the heads-up's one click (issue 30): a link that keeps tonight's
// stop away from one account, or one resource of it, until the next morning. The heads-up
// function issues the links (Issuer); the public link function checks them and applies
// them (see the package's handler). A link is stored in the home account's history bucket
// under accounts.HeadsUpPrefix and named by a token signed with the key of
// accounts.HeadsUpKeyParameter, which binds it to one account, its resources, one night
// and an expiry: it cannot snooze anything else, production never.
package snoozelink

import (
	"context"
	"time"
)

// Target is one resource a link keeps up: a resource of the stop's plan (fleet.Resource)
// in one region of the link's account.
type Target struct {
	// Type is the plan's resource type (history.EC2Instance, history.RDSInstance,
	// history.AuroraCluster); the link function snoozes those kinds only.
	Type   string `json:"type"`
	Region string `json:"region"`
	ID     string `json:"id"`
}

// Link is what one link keeps up tonight: the resources of one account that the night's
// stop would stop, all of them (the account's link) or one.
type Link struct {
	// Account is the account's name in the map, or its id when it was found in a unit.
	Account   string `json:"account"`
	AccountID string `json:"accountId"`
	// Resources are what the link snoozes: every one the plan would stop in the account,
	// or one.
	Resources []Target `json:"resources"`
	// Stop is the night's stop the link is for; the link expires then.
	Stop time.Time `json:"stop"`
	// Until is when the snooze ends: the next morning's start, or 12 hours after Stop
	// when the schedule has no morning start.
	Until time.Time `json:"until"`
	// Sent is when the heads-up went out ("kept up by the heads-up link of 19:30").
	Sent time.Time `json:"sent"`
}

// Issuer makes the links of one heads-up run: it stores each link and returns the URL a
// person follows (GET: a confirmation page; POST from the page: the snooze).
type Issuer interface {
	Issue(ctx context.Context, l Link) (url string, err error)
}
