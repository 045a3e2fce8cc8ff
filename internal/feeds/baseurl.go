package feeds

import (
	"context"
	"net/http"
	"strings"
)

type baseURLKey struct{}

// WithBaseURL returns ctx carrying base, the public address of the server
// (scheme://host[:port]) under which feed addresses are built.
func WithBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseURLKey{}, strings.TrimRight(base, "/"))
}

// BaseURL returns the public address carried by ctx, or "" when there is
// none (the address of a feed is then unknown).
func BaseURL(ctx context.Context) string {
	s, _ := ctx.Value(baseURLKey{}).(string)
	return s
}

// RequestBaseURL returns the public address of the server for r: configured
// (the --public-url setting) when set, else the scheme and Host of the
// request itself. X-Forwarded-Proto and X-Forwarded-Host are not read: the
// server trusts no proxy, and behind one the address is configured. It
// returns "" when the Host of the request cannot be part of a URL.
func RequestBaseURL(r *http.Request, configured string) string {
	if configured != "" {
		return strings.TrimRight(configured, "/")
	}
	if !saneHost(r.Host) {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// saneHost accepts a host[:port] of the characters host names, IPv4 and
// bracketed IPv6 addresses use, so that a forged Host header cannot put a
// path, a query or user information into a feed's address.
func saneHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range []byte(h) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-.:[]", c) >= 0:
		default:
			return false
		}
	}
	return true
}
