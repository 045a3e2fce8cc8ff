package feeds

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/calendarfeed"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/calendar"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/viewer"
)

// cacheControl lets a calendar client keep a feed for a few minutes, and no
// shared cache keep it at all: the address is a secret.
const cacheControl = "private, max-age=300"

// Handler serves GET and HEAD /ics/{secret}.ics: the feed of secret as
// text/calendar, read as the feed's account with the lesser of the feed's
// role and the account's membership role now. An unknown, revoked or
// malformed secret, a feed whose account is no longer a member, and a feed
// whose target is gone all answer the same plain 404 as an unknown path,
// without a hint of whether the feed existed. clock gives the time of the
// feed (its DTSTAMPs and the agenda's period).
//
// Nothing here logs the secret; the server's access log must cut it from the
// path (RedactPath).
func Handler(c *ent.Client, clock func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, "/ics/")
		secret, ok2 := strings.CutSuffix(name, ".ics")
		if !ok || !ok2 || !wellFormed(secret) {
			http.NotFound(w, r)
			return
		}
		ctx := r.Context()
		sys := policy.System(ctx) // no viewer yet: finding the feed is a system path, as for tokens
		feed, err := c.CalendarFeed.Query().Where(calendarfeed.SecretHash(auth.Hash(secret))).Only(sys)
		if ent.IsNotFound(err) || err == nil && feed.RevokedAt != nil {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			fail(w, r, "loading a calendar feed", err)
			return
		}
		m, err := c.Membership.Query().
			Where(membership.AccountID(feed.AccountID), membership.OrganizationID(feed.OrganizationID),
				membership.StatusEQ(membership.StatusActive)).
			Only(sys)
		if ent.IsNotFound(err) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			fail(w, r, "loading the membership of feed "+feed.Prefix, err)
			return
		}
		v := &viewer.Viewer{
			AccountID:      feed.AccountID,
			OrganizationID: feed.OrganizationID,
			Role:           viewer.Min(viewer.Role(feed.Role), viewer.Role(m.Role)),
		}
		cal, err := build(viewer.NewContext(ctx, v), c, feed, clock())
		if errors.Is(err, errGone) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			fail(w, r, "building feed "+feed.Prefix, err)
			return
		}
		var body bytes.Buffer
		if err := calendar.Write(&body, cal); err != nil {
			fail(w, r, "writing feed "+feed.Prefix, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", calendar.ContentType)
		h.Set("Cache-Control", cacheControl)
		h.Set("Content-Length", strconv.Itoa(body.Len()))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body.Bytes())
		}
	})
}

// fail answers a fault of the server, logged with the feed's prefix at most.
func fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	if r.Context().Err() != nil {
		slog.InfoContext(r.Context(), "calendar feed request ended early", "error", err)
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	slog.ErrorContext(r.Context(), what, "error", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}
