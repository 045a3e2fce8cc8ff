package graph

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/feeds"
)

// feedTarget names what a calendar feed shows.
type feedTarget struct{ meeting, series, person int }

// issuedFeedsKey carries the feed addresses issued by the operation: an
// address is shown only in the response of the request that issued it (the
// secret is stored hashed).
type issuedFeedsKey struct{}

type issuedFeeds struct {
	mu   sync.Mutex
	urls map[feedTarget]string
}

// withIssuedFeeds gives each operation its own record of issued feeds.
func withIssuedFeeds(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, issuedFeedsKey{}, &issuedFeeds{urls: map[feedTarget]string{}}))
}

// rememberFeed records the address of a feed issued by this operation.
func rememberFeed(ctx context.Context, t feedTarget, url string) {
	if f, ok := ctx.Value(issuedFeedsKey{}).(*issuedFeeds); ok {
		f.mu.Lock()
		f.urls[t] = url
		f.mu.Unlock()
	}
}

// issuedURL is the address of the feed of t issued by this operation, or nil.
func issuedURL(ctx context.Context, t feedTarget) *string {
	f, ok := ctx.Value(issuedFeedsKey{}).(*issuedFeeds)
	if !ok {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if url, ok := f.urls[t]; ok {
		return &url
	}
	return nil
}

// issueFeed issues a feed of t for the viewer and records its address.
func issueFeed(ctx context.Context, c *ent.Client, t feeds.Target, now time.Time) error {
	f, secret, err := feeds.Issue(ctx, c, t, nil, now)
	if err != nil {
		return err
	}
	rememberFeed(ctx, targetOf(f), feeds.URL(feeds.BaseURL(ctx), secret))
	return nil
}

// targetOf is what a feed shows.
func targetOf(f *ent.CalendarFeed) feedTarget {
	return feedTarget{meeting: deref(f.MeetingID), series: deref(f.SeriesID), person: deref(f.PersonID)}
}
