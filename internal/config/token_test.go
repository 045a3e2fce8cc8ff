package config_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/database"
)

// tokenCommand parses the arguments of `token create` with vars as the
// environment.
func tokenCommand(args []string, vars map[string]string) (config.TokenCommand, error) {
	return config.LoadTokenCommand(args, env(vars), io.Discard)
}

func TestTokenCommandDefaults(t *testing.T) {
	c, err := tokenCommand([]string{"--org", "acme", "--email", "ana@acme.example"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.TokenCommand{
		DatabaseURL: database.DefaultURL,
		OrgSlug:     "acme",
		Email:       "ana@acme.example",
		Role:        "OWNER",
		TokenName:   "bootstrap",
	}
	if c != want {
		t.Fatalf("command = %+v, want %+v", c, want)
	}
}

func TestTokenCommandReadsEveryFlag(t *testing.T) {
	c, err := tokenCommand([]string{
		"--database-url", "sqlite:/tmp/x.db", "--org", "acme", "--org-name", "Acme Group",
		"--email", "ana@acme.example", "--name", "Ana", "--role", "VIEWER",
		"--token-name", "CI", "--expires-in", "720h",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.TokenCommand{
		DatabaseURL: "sqlite:/tmp/x.db", OrgSlug: "acme", OrgName: "Acme Group",
		Email: "ana@acme.example", Name: "Ana", Role: "VIEWER",
		TokenName: "CI", ExpiresIn: 720 * time.Hour,
	}
	if c != want {
		t.Fatalf("command = %+v, want %+v", c, want)
	}
}

func TestTokenCommandDatabaseURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"DATABASE_URL is the fallback", nil, map[string]string{"DATABASE_URL": "sqlite:/env.db"}, "sqlite:/env.db"},
		{"the flag wins over DATABASE_URL", []string{"--database-url", "sqlite:/flag.db"}, map[string]string{"DATABASE_URL": "sqlite:/env.db"}, "sqlite:/flag.db"},
		{"the default without either", nil, nil, database.DefaultURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--org", "acme", "--email", "a@acme.example"}, tc.args...)
			c, err := tokenCommand(args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.DatabaseURL != tc.want {
				t.Fatalf("DatabaseURL = %q, want %q", c.DatabaseURL, tc.want)
			}
		})
	}
}

func TestTokenCommandUpperCasesTheRole(t *testing.T) {
	for _, role := range []string{"owner", "Planner", "viewer", "VIEWER"} {
		t.Run(role, func(t *testing.T) {
			c, err := tokenCommand([]string{"--org", "acme", "--email", "a@acme.example", "--role", role}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.ToUpper(role); c.Role != want {
				t.Fatalf("Role = %q, want %q", c.Role, want)
			}
		})
	}
}

func TestTokenCommandRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // part of the error
	}{
		{"--org is required", []string{"--email", "a@acme.example"}, "--org is required"},
		{"an empty --org is missing", []string{"--org", "", "--email", "a@acme.example"}, "--org is required"},
		{"--email is required", []string{"--org", "acme"}, "--email is required"},
		{"an empty --email is missing", []string{"--org", "acme", "--email", ""}, "--email is required"},
		{"no flags at all", nil, "is required"},
		{"a stray argument", []string{"--org", "acme", "--email", "a@acme.example", "extra"}, `unexpected argument "extra"`},
		{"a stray argument before the flags", []string{"create", "--org", "acme", "--email", "a@acme.example"}, `unexpected argument "create"`},
		{"a negative --expires-in", []string{"--org", "acme", "--email", "a@acme.example", "--expires-in", "-1h"}, "--expires-in must not be negative"},
		{"an --expires-in that is not a duration", []string{"--org", "acme", "--email", "a@acme.example", "--expires-in", "30 days"}, "expires-in"},
		{"an unknown flag", []string{"--org", "acme", "--email", "a@acme.example", "--owner"}, "owner"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tokenCommand(tc.args, nil)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestTokenCommandAcceptsNoExpiry(t *testing.T) {
	c, err := tokenCommand([]string{"--org", "acme", "--email", "a@acme.example", "--expires-in", "0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExpiresIn != 0 {
		t.Fatalf("ExpiresIn = %v, want 0 (no expiry)", c.ExpiresIn)
	}
}
