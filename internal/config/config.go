// Package config reads the server's configuration from flags, with
// environment variables as fallbacks. Every setting is listed in the README.
package config

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rencontre/rencontre/internal/database"
)

// Config is the server's configuration.
type Config struct {
	Addr            string   // listen address
	DatabaseURL     string   // sqlite:PATH or postgres://…
	CORSOrigins     []string // origins allowed cross-origin; none by default
	Playground      bool     // serve GraphiQL at /
	Demo            bool     // load the demo data set at start
	ComplexityLimit int      // highest operation cost
	MaxBodyBytes    int64    // largest request body
}

// setting is one flag with its environment fallback.
type setting struct {
	flag, env, def, usage string
}

var settings = []setting{
	{"addr", "RENCONTRE_ADDR", "127.0.0.1:8080", "address to listen on"},
	{"database-url", "DATABASE_URL", database.DefaultURL, "database: sqlite:PATH (embedded) or postgres://user@host:port/db?sslmode=disable"},
	{"cors-origins", "RENCONTRE_CORS_ORIGINS", "", "comma-separated origins allowed to call the API from a browser, e.g. https://app.example.org (none by default)"},
	{"playground", "RENCONTRE_PLAYGROUND", "true", "serve the GraphiQL playground at /"},
	{"demo", "RENCONTRE_DEMO", "false", "load the demo data set at start (harmless if already loaded)"},
	{"complexity-limit", "RENCONTRE_COMPLEXITY_LIMIT", "200000", "highest query cost; connections count their page size"},
	{"max-body-bytes", "RENCONTRE_MAX_BODY_BYTES", "1048576", "largest accepted request body in bytes"},
}

// Load parses args (without the program name). A flag given on the command
// line wins over its environment variable, which wins over the default.
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	fs := flag.NewFlagSet("rencontre", flag.ContinueOnError)
	fs.SetOutput(usage)
	values := map[string]*string{}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		values[s.flag] = fs.String(s.flag, def, fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	fs.Usage = func() {
		fmt.Fprintln(usage, "Usage: rencontre [flags]\n\nServes the Rencontre GraphQL API. Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(normalizeBoolFlags(args)); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var (
		c   Config
		err error
	)
	c.Addr = *values["addr"]
	c.DatabaseURL = *values["database-url"]
	for _, o := range strings.Split(*values["cors-origins"], ",") {
		if o = strings.TrimSpace(o); o != "" {
			if o == "*" {
				return Config{}, fmt.Errorf("cors-origins: \"*\" is not accepted; list the origins")
			}
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if c.Playground, err = strconv.ParseBool(*values["playground"]); err != nil {
		return Config{}, fmt.Errorf("playground: %q is not true or false", *values["playground"])
	}
	if c.Demo, err = strconv.ParseBool(*values["demo"]); err != nil {
		return Config{}, fmt.Errorf("demo: %q is not true or false", *values["demo"])
	}
	if c.ComplexityLimit, err = strconv.Atoi(*values["complexity-limit"]); err != nil || c.ComplexityLimit < 1 {
		return Config{}, fmt.Errorf("complexity-limit: %q is not a positive integer", *values["complexity-limit"])
	}
	if c.MaxBodyBytes, err = strconv.ParseInt(*values["max-body-bytes"], 10, 64); err != nil || c.MaxBodyBytes < 1 {
		return Config{}, fmt.Errorf("max-body-bytes: %q is not a positive integer", *values["max-body-bytes"])
	}
	return c, nil
}

// normalizeBoolFlags lets boolean settings be given bare (--demo) like Go
// boolean flags, although they are parsed as strings to share the env fallback.
func normalizeBoolFlags(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		name := strings.TrimLeft(a, "-")
		if strings.HasPrefix(a, "-") && (name == "demo" || name == "playground") {
			a += "=true"
		}
		out = append(out, a)
	}
	return out
}

// TokenCommand is the configuration of `rencontre token create`, the
// bootstrap of an organization, its first account and an API token.
type TokenCommand struct {
	DatabaseURL string
	OrgSlug     string
	OrgName     string
	Email       string
	Name        string
	Role        string
	TokenName   string
	ExpiresIn   time.Duration
}

// LoadTokenCommand parses the arguments after `token create`.
func LoadTokenCommand(args []string, getenv func(string) string, usage io.Writer) (TokenCommand, error) {
	fs := flag.NewFlagSet("rencontre token create", flag.ContinueOnError)
	fs.SetOutput(usage)
	dbDefault := database.DefaultURL
	if v := getenv("DATABASE_URL"); v != "" {
		dbDefault = v
	}
	var c TokenCommand
	fs.StringVar(&c.DatabaseURL, "database-url", dbDefault, "database (env DATABASE_URL)")
	fs.StringVar(&c.OrgSlug, "org", "", "slug of the organization; created if new (required)")
	fs.StringVar(&c.OrgName, "org-name", "", "name of the organization when it is created (default: the slug)")
	fs.StringVar(&c.Email, "email", "", "email of the account; created if new (required)")
	fs.StringVar(&c.Name, "name", "", "name of the account when it is created (default: the email)")
	fs.StringVar(&c.Role, "role", "OWNER", "role of the account in the organization: OWNER, PLANNER or VIEWER")
	fs.StringVar(&c.TokenName, "token-name", "bootstrap", "name of the token")
	fs.DurationVar(&c.ExpiresIn, "expires-in", 0, "lifetime of the token, such as 720h (default: no expiry)")
	fs.Usage = func() {
		fmt.Fprintln(usage, "Usage: rencontre token create --org SLUG --email EMAIL [flags]\n\nCreates the organization, the account and its membership if needed, and prints a new API token. Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return TokenCommand{}, err
	}
	switch {
	case fs.NArg() > 0:
		return TokenCommand{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.OrgSlug == "":
		return TokenCommand{}, fmt.Errorf("--org is required")
	case c.Email == "":
		return TokenCommand{}, fmt.Errorf("--email is required")
	case c.ExpiresIn < 0:
		return TokenCommand{}, fmt.Errorf("--expires-in must not be negative")
	}
	c.Role = strings.ToUpper(c.Role)
	return c, nil
}
