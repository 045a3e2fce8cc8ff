// Package auth turns API tokens into viewers: token secrets and their hashes,
// the HTTP middleware that authenticates every GraphQL request, invitations
// of members (made by owners, accepted by the invitees), tokens, and the
// bootstrap of a first organization.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/apitoken"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/viewer"
)

// secretPrefix starts every token secret, so that leaked tokens are easy to
// recognise in logs and by secret scanners.
const secretPrefix = "rct_"

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a new token secret (160 random bits), its SHA-256 hash and
// its displayable prefix.
func NewSecret() (secret, hash, prefix string, err error) {
	return newSecret(secretPrefix)
}

// newSecret returns start followed by 160 random bits, its hash and its
// displayable prefix; invitation codes are made the same way as tokens.
func newSecret(start string) (secret, hash, prefix string, err error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", "", "", fmt.Errorf("generating a secret: %w", err)
	}
	secret = start + strings.ToLower(encoding.EncodeToString(b))
	return secret, Hash(secret), secret[:len(start)+8], nil
}

// Hash is the stored form of a secret: SHA-256, hex-encoded. A high-entropy
// random secret needs no salt or slow hash.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ErrUnauthenticated is returned for a missing, unknown, revoked or expired
// token; its message is safe to show.
var ErrUnauthenticated = errors.New("unauthenticated")

// lastUsedResolution is how often the last-used time of a token is written:
// at most once a minute, not on every request.
const lastUsedResolution = time.Minute

// Authenticate returns the viewer of a token secret: the token's account in
// the token's organization, with the lesser of the token's role and the
// account's current membership role. It reads the database every time (two
// statements, and a third at most once a minute to record the use); the
// HTTP middleware goes through an Authenticator, which caches the answer.
func Authenticate(ctx context.Context, c *ent.Client, secret string, now time.Time) (*viewer.Viewer, error) {
	g, err := lookup(ctx, c, secret, now)
	if err != nil {
		return nil, err
	}
	return &g.viewer, nil
}

// grant is what a token lookup found: the viewer, and what the cache needs to
// forget or refuse it later.
type grant struct {
	viewer       viewer.Viewer
	prefix       string
	membershipID int
	expiresAt    time.Time // zero: the token does not expire
	lastUsedAt   time.Time // as stored after the lookup; zero: never
}

// expiredError is the refusal of a token past its expiry.
func expiredError(prefix string, at time.Time) error {
	return fmt.Errorf("%w: token %s expired at %s", ErrUnauthenticated, prefix, at.Format(time.RFC3339))
}

// lookup is Authenticate with what the cache keeps.
func lookup(ctx context.Context, c *ent.Client, secret string, now time.Time) (*grant, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return nil, fmt.Errorf("%w: not a Rencontre API token", ErrUnauthenticated)
	}
	sys := policy.System(ctx) // no viewer yet: reading tokens is a system path
	tok, err := c.APIToken.Query().Where(apitoken.SecretHash(Hash(secret))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return nil, fmt.Errorf("loading token: %w", err)
	}
	switch {
	case tok.RevokedAt != nil:
		return nil, fmt.Errorf("%w: token %s was revoked", ErrUnauthenticated, tok.Prefix)
	case tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt):
		return nil, expiredError(tok.Prefix, *tok.ExpiresAt)
	}
	m, err := c.Membership.Query().
		Where(
			membership.AccountID(tok.AccountID),
			membership.OrganizationID(tok.OrganizationID),
			membership.StatusEQ(membership.StatusActive), // an invitation gives no access
		).
		Only(sys)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("%w: the account of token %s is no longer a member", ErrUnauthenticated, tok.Prefix)
	}
	if err != nil {
		return nil, fmt.Errorf("loading membership: %w", err)
	}
	g := &grant{
		viewer: viewer.Viewer{
			AccountID:      tok.AccountID,
			OrganizationID: tok.OrganizationID,
			Role:           viewer.Min(viewer.Role(tok.Role), viewer.Role(m.Role)),
			TokenID:        tok.ID,
		},
		prefix:       tok.Prefix,
		membershipID: m.ID,
	}
	if tok.ExpiresAt != nil {
		g.expiresAt = *tok.ExpiresAt
	}
	if tok.LastUsedAt != nil {
		g.lastUsedAt = *tok.LastUsedAt
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= lastUsedResolution {
		if err := c.APIToken.UpdateOne(tok).SetLastUsedAt(now).Exec(sys); err != nil {
			return nil, fmt.Errorf("recording token use: %w", err)
		}
		g.lastUsedAt = now
	}
	return g, nil
}
