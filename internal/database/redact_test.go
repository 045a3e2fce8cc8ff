package database_test

import (
	"strings"
	"testing"

	"github.com/rencontre/rencontre/internal/database"
)

func TestRedactHidesEveryPassword(t *testing.T) {
	for _, tc := range []struct {
		name, url, want string
	}{
		{"a password in the user information", "postgres://ana:s3cret@db:5432/r?sslmode=disable", "postgres://ana:xxxxx@db:5432/r?sslmode=disable"},
		{"a password as the first query parameter", "postgres://ana@db/r?password=s3cret&sslmode=disable", "postgres://ana@db/r?password=xxxxx&sslmode=disable"},
		{"a password as a later query parameter", "postgres://ana@db/r?sslmode=disable&password=s3cret", "postgres://ana@db/r?sslmode=disable&password=xxxxx"},
		{"a password in both places", "postgresql://ana:s3cret1@db/r?password=s3cret2", "postgresql://ana:xxxxx@db/r?password=xxxxx"},
		{"an escaped or capitalised parameter name", "postgres://db/r?Pass%77ord=s3cret&PASSWORD=s3cret", "postgres://db/r?Pass%77ord=xxxxx&PASSWORD=xxxxx"},
		{"the key's passphrase of lib/pq", "postgres://db/r?sslpassword=s3cret", "postgres://db/r?sslpassword=xxxxx"},
		{"an escaped password value", "postgres://db/r?password=s%26cret%3Dx", "postgres://db/r?password=xxxxx"},
		{"a URL without secret is unchanged", "postgres://ana@db:5432/r?sslmode=disable&search_path=x", "postgres://ana@db:5432/r?sslmode=disable&search_path=x"},
		{"the SQLite default is unchanged", "sqlite:rencontre.db", "sqlite:rencontre.db"},
		{"a SQLite path with options is unchanged", "sqlite:/var/lib/r.db?_txlock=immediate", "sqlite:/var/lib/r.db?_txlock=immediate"},
		{"a URL that does not parse is not shown", "postgres://ana:s3cret@db:port/r", "(unparsable database URL)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := database.Redact(tc.url)
			if got != tc.want {
				t.Fatalf("Redact(%q) = %q, want %q", tc.url, got, tc.want)
			}
			if strings.Contains(got, "s3cret") {
				t.Fatalf("Redact(%q) = %q still shows a password", tc.url, got)
			}
		})
	}
}
