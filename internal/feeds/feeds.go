// Package feeds issues and serves the secret iCalendar addresses of
// Rencontre: a meeting, a series or a person's agenda, for calendar clients
// (Google Calendar, Outlook, Apple Calendar), which subscribe to a URL and
// cannot send a bearer token.
//
// A feed reads as the account that issued it, with the lesser of the role
// it was issued with and the account's current membership role, through the
// ent privacy policies like any other request. Only the SHA-256 of a secret is
// stored; the secret is shown once, when the feed is issued.
package feeds

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/calendarfeed"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/ent/privacy"
	entseries "github.com/rencontre/rencontre/ent/series"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// secretPrefix starts every feed secret, so that a leaked feed address is
// easy to recognise in logs and by secret scanners (API tokens start with
// "rct_").
const secretPrefix = "rcf_"

// secretBytes is the randomness of a secret: 160 bits.
const secretBytes = 20

// secretLen is the length of a secret: the prefix and 160 bits in base32.
var secretLen = len(secretPrefix) + encoding.EncodedLen(secretBytes)

// prefixLen is the length of the displayable start of a secret (the stored
// prefix): "rcf_" and 8 characters, 40 of the 160 bits.
const prefixLen = len(secretPrefix) + 8

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns a new feed secret, its stored hash (auth.Hash, as API
// tokens) and its displayable prefix.
func newSecret() (secret, hash, prefix string, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", "", fmt.Errorf("generating a feed secret: %w", err)
	}
	secret = secretPrefix + strings.ToLower(encoding.EncodeToString(b))
	return secret, auth.Hash(secret), secret[:prefixLen], nil
}

// wellFormed reports whether s has the shape of a feed secret: the prefix and
// 32 lower-case base32 characters.
func wellFormed(s string) bool {
	if len(s) != secretLen || !strings.HasPrefix(s, secretPrefix) {
		return false
	}
	for _, c := range []byte(s[len(secretPrefix):]) {
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// Target names what a feed shows: exactly one of the three.
type Target struct{ MeetingID, SeriesID, PersonID *int }

// kind returns the kind of feed t asks for, or a validation error when t
// names no target or more than one.
func (t Target) kind() (calendarfeed.Kind, error) {
	var kinds []calendarfeed.Kind
	if t.MeetingID != nil {
		kinds = append(kinds, calendarfeed.KindMeeting)
	}
	if t.SeriesID != nil {
		kinds = append(kinds, calendarfeed.KindSeries)
	}
	if t.PersonID != nil {
		kinds = append(kinds, calendarfeed.KindAgenda)
	}
	switch len(kinds) {
	case 0:
		return "", &validation.Error{Field: "meeting_id", Code: validation.CodeRequired,
			Message: "a feed needs what it shows: give a meeting, a series or a person (for their agenda)"}
	case 1:
		return kinds[0], nil
	}
	return "", validation.Invalid("meeting_id", "a feed shows one thing: give only one of a meeting, a series or a person, not %d", len(kinds))
}

// above reports whether the feed role r grants more than the viewer role v.
func above(r calendarfeed.Role, v viewer.Role) bool {
	return !v.AtLeast(viewer.Role(r))
}

// Issue creates a feed for the viewer's account on t, reading with role
// (nil: the viewer's role, which role may not exceed), after checking that the
// target exists in the viewer's organization. It revokes the account's
// earlier feeds of the same target, so that issuing again is regenerating the
// address. It returns the feed and its secret, which is not stored and cannot
// be shown again.
//
// Errors for bad input are *validation.Error on "meeting_id" (no target, or
// more than one), "meeting_id", "series_id" or "person_id" (NOT_FOUND), and
// "role". Without a viewer that may write, the privacy refusal is returned
// before the input is looked at. The writes run in a transaction of their own
// unless c is already transactional.
func Issue(ctx context.Context, c *ent.Client, t Target, role *calendarfeed.Role, now time.Time) (*ent.CalendarFeed, string, error) {
	if err := policy.CheckWrite(ctx); err != nil {
		return nil, "", err
	}
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, "", privacy.Denyf("issuing a feed needs a viewer: the feed reads as its account")
	}
	kind, err := t.kind()
	if err != nil {
		return nil, "", err
	}
	r := calendarfeed.Role(v.Role)
	if role != nil {
		if calendarfeed.RoleValidator(*role) != nil {
			return nil, "", validation.Invalid("role", "%q is not OWNER, PLANNER or VIEWER", *role)
		}
		if above(*role, v.Role) {
			return nil, "", validation.Invalid("role", "%s is above your own role (%s): a feed reads with your role at most", *role, v.Role)
		}
		r = *role
	}
	if err := checkTarget(ctx, c, t); err != nil {
		return nil, "", err
	}
	var (
		feed   *ent.CalendarFeed
		secret string
	)
	err = inTx(ctx, c, func(c *ent.Client) error {
		var err error
		feed, secret, err = issue(ctx, c, v, kind, t, r, now)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return feed, secret, nil
}

func issue(ctx context.Context, c *ent.Client, v *viewer.Viewer, kind calendarfeed.Kind, t Target, r calendarfeed.Role, now time.Time) (*ent.CalendarFeed, string, error) {
	same := []predicate.CalendarFeed{
		calendarfeed.AccountID(v.AccountID),
		calendarfeed.KindEQ(kind),
		calendarfeed.RevokedAtIsNil(),
	}
	switch kind {
	case calendarfeed.KindMeeting:
		same = append(same, calendarfeed.MeetingID(*t.MeetingID))
	case calendarfeed.KindSeries:
		same = append(same, calendarfeed.SeriesID(*t.SeriesID))
	case calendarfeed.KindAgenda:
		same = append(same, calendarfeed.PersonID(*t.PersonID))
	}
	if _, err := c.CalendarFeed.Update().Where(same...).SetRevokedAt(now).Save(ctx); err != nil {
		return nil, "", fmt.Errorf("revoking the earlier feeds: %w", err)
	}
	secret, hash, prefix, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	feed, err := c.CalendarFeed.Create().
		SetAccountID(v.AccountID).
		SetRole(r).
		SetKind(kind).
		SetNillableMeetingID(t.MeetingID).
		SetNillableSeriesID(t.SeriesID).
		SetNillablePersonID(t.PersonID).
		SetPrefix(prefix).
		SetSecretHash(hash).
		Save(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("creating the feed: %w", err)
	}
	return feed, secret, nil
}

// checkTarget reports a target the viewer cannot see (another organization's,
// or none) as NOT_FOUND on its field.
func checkTarget(ctx context.Context, c *ent.Client, t Target) error {
	var (
		found bool
		err   error
		field string
		what  string
		id    int
	)
	switch {
	case t.MeetingID != nil:
		field, what, id = "meeting_id", "meeting", *t.MeetingID
		found, err = c.Meeting.Query().Where(meeting.ID(id)).Exist(ctx)
	case t.SeriesID != nil:
		field, what, id = "series_id", "series", *t.SeriesID
		found, err = c.Series.Query().Where(entseries.ID(id)).Exist(ctx)
	case t.PersonID != nil:
		field, what, id = "person_id", "person", *t.PersonID
		found, err = c.Person.Query().Where(person.ID(id)).Exist(ctx)
	}
	if err != nil {
		return fmt.Errorf("loading the %s of the feed: %w", what, err)
	}
	if !found {
		return validation.NotFound(field, "no %s with ID %d", what, id)
	}
	return nil
}

// Revoke revokes the feed id: its address answers 404 from then on.
// Revoking a revoked feed keeps the first time. A feed the viewer cannot see
// (another account's, unless the viewer is an owner) is NOT_FOUND on "id".
func Revoke(ctx context.Context, c *ent.Client, id int, now time.Time) (*ent.CalendarFeed, error) {
	if err := policy.CheckWrite(ctx); err != nil {
		return nil, err
	}
	feed, err := c.CalendarFeed.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound("id", "no calendar feed with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("loading feed %d: %w", id, err)
	}
	if feed.RevokedAt != nil {
		return feed, nil
	}
	feed, err = c.CalendarFeed.UpdateOne(feed).SetRevokedAt(now).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("revoking feed %d: %w", id, err)
	}
	return feed, nil
}

// inTx runs f in a transaction of c, or on c itself when c is already bound
// to one (a GraphQL mutation's client).
func inTx(ctx context.Context, c *ent.Client, f func(*ent.Client) error) error {
	tx, err := c.Tx(ctx)
	if errors.Is(err, ent.ErrTxStarted) {
		return f(c)
	}
	if err != nil {
		return fmt.Errorf("starting a transaction: %w", err)
	}
	if err := f(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// URL is the address of the feed of secret under base (scheme://host[:port],
// without a trailing slash).
func URL(base, secret string) string {
	return strings.TrimRight(base, "/") + "/ics/" + secret + ".ics"
}

// RedactPath returns path with any feed secret cut to its displayable prefix,
// for logs: /ics/rcf_abcdefgh… instead of the whole address.
func RedactPath(path string) string {
	if i := strings.Index(strings.ToLower(path), secretPrefix); i >= 0 {
		if len(path) > i+prefixLen {
			return strings.ToValidUTF8(path[:i+prefixLen], "") + "…"
		}
		return path
	}
	if rest, ok := strings.CutPrefix(path, "/ics/"); ok && len(rest) > prefixLen {
		return "/ics/" + strings.ToValidUTF8(rest[:prefixLen], "") + "…"
	}
	return path
}
