// Package paging reads every page of an AWS SDK paginator into one list: the one loop
// the fleet's kinds and snooze's kinds page through their describe and list calls with.
package paging

import "context"

// Pager is an SDK paginator, of any service's describe or list call.
type Pager[Page, Options any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(Options)) (Page, error)
}

// All reads every page, each through items, into one list.
func All[T, Page, Options any](ctx context.Context, pages Pager[Page, Options], items func(Page) []T) ([]T, error) {
	var out []T
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items(page)...)
	}
	return out, nil
}
