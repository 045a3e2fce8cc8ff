// Package config reads the server's configuration from flags, with
// environment variables as fallbacks. Every setting is listed in the README.
package config

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/database"
)

// Config is the server's configuration.
type Config struct {
	Addr            string        // listen address
	DatabaseURL     string        // sqlite:PATH or postgres://…
	CORSOrigins     []string      // origins allowed cross-origin; none by default
	Playground      bool          // serve GraphiQL at /
	Demo            bool          // load the demo data set at start
	ComplexityLimit int           // highest operation cost
	MaxBodyBytes    int64         // largest request body
	Production      bool          // no introspection, no suggestions, no playground unless asked for
	RequestTimeout  time.Duration // deadline of one request, down to SQL
	ShutdownTimeout time.Duration // how long in-flight requests may run after a stop signal
	Limits          graph.Limits  // the shape of one operation (see limitSettings)
	AutoMigrate     bool          // apply pending migrations at start
	PublicURL       string        // scheme://host[:port] of the server as clients reach it; "" derives it from each request
	SeriesHorizon   int           // months ahead that the occurrences of series exist as meetings
	MaxNetworkEdges int           // most relationships in one network answer
	Pool            database.Pool // the connection pool
	MaxUploadBytes  int64         // largest file upload (multipart request)
	AuthCacheTTL    time.Duration // how long a validated token is trusted without reading it again; 0: no cache
	MetricsAddr     string        // listener of /metrics (Prometheus); "" for none
	PprofAddr       string        // loopback listener of /debug/pprof/; "" for none
	GCHeapTargetMiB int           // heap the garbage collector lets grow while the live heap is small (internal/gctune); 0: Go's GOGC
}

// Defaults of the settings that Config's users need to know.
const (
	DefaultRequestTimeout  = 10 * time.Second
	DefaultShutdownTimeout = 15 * time.Second
	DefaultGCHeapTargetMiB = 0
)

// kind is how a setting's value is written, for --help and for bare boolean
// flags.
type kind string

const (
	kindString   kind = "string"
	kindBool     kind = "bool"
	kindInt      kind = "int"
	kindDuration kind = "duration"
	kindList     kind = "list"
)

// setting is one flag with its environment fallback.
type setting struct {
	flag, env string
	kind      kind
	def       string // "" for none
	usage     string
}

var settings = []setting{
	{"addr", "RENCONTRE_ADDR", kindString, "127.0.0.1:8080", "address to listen on"},
	{"database-url", "DATABASE_URL", kindString, database.DefaultURL, "database: sqlite:PATH (embedded) or postgres://user@host:port/db?sslmode=disable"},
	{"public-url", "RENCONTRE_PUBLIC_URL", kindString, "", "public address of the server, such as https://rencontre.example.org, for the addresses of calendar feeds (default: the scheme and Host of each request)"},
	{"cors-origins", "RENCONTRE_CORS_ORIGINS", kindList, "", "comma-separated origins allowed to call the API from a browser, e.g. https://app.example.org"},
	{"production", "RENCONTRE_PRODUCTION", kindBool, "false", "production mode: no introspection, no \"did you mean\" suggestions, no playground unless --playground is given"},
	{"playground", "RENCONTRE_PLAYGROUND", kindBool, "", "serve the GraphiQL playground at /"},
	{"demo", "RENCONTRE_DEMO", kindBool, "false", "load the demo data set at start (harmless if already loaded)"},
	{"auto-migrate", "RENCONTRE_AUTO_MIGRATE", kindBool, "", "apply pending database migrations at start; without it the server refuses a database that is behind"},
	{"complexity-limit", "RENCONTRE_COMPLEXITY_LIMIT", kindInt, "200000", "highest query cost; connections count their page size"},
	{"max-body-bytes", "RENCONTRE_MAX_BODY_BYTES", kindInt, "1048576", "largest accepted request body in bytes"},
	{"max-upload-bytes", "RENCONTRE_MAX_UPLOAD_BYTES", kindInt, "10485760", "largest file upload (a multipart request, such as peopleImport's CSV) in bytes"},
	{"request-timeout", "RENCONTRE_REQUEST_TIMEOUT", kindDuration, DefaultRequestTimeout.String(), "deadline of one request, SQL included; past it the request stops with REQUEST_TIMEOUT"},
	{"shutdown-timeout", "RENCONTRE_SHUTDOWN_TIMEOUT", kindDuration, DefaultShutdownTimeout.String(), "on SIGINT or SIGTERM, how long in-flight requests may still run before they are cancelled"},
	{"db-max-open-conns", "RENCONTRE_DB_MAX_OPEN_CONNS", kindInt, strconv.Itoa(database.DefaultPool.MaxOpen), "most open database connections"},
	{"db-max-idle-conns", "RENCONTRE_DB_MAX_IDLE_CONNS", kindInt, strconv.Itoa(database.DefaultPool.MaxIdle), "most idle database connections kept open (keep it equal to --db-max-open-conns: a server under load would otherwise open a new PostgreSQL session for most requests)"},
	{"db-conn-max-idle-time", "RENCONTRE_DB_CONN_MAX_IDLE_TIME", kindDuration, database.DefaultPool.IdleTime.String(), "close database connections idle for longer"},
	{"db-statement-cache", "RENCONTRE_DB_STATEMENT_CACHE", kindInt, strconv.Itoa(database.DefaultPool.Statements), "statements each database connection keeps prepared, those it ran twice, least recently used closed first (0 to 10000; 0: none)"},
	{"max-network-edges", "RENCONTRE_MAX_NETWORK_EDGES", kindInt, "50000", "most relationships one network answer holds; a larger scope is refused with NETWORK_TOO_LARGE (raise minStrength or use the export)"},
	{"series-horizon", "RENCONTRE_SERIES_HORIZON", kindInt, "12", "months ahead that the occurrences of recurring series exist as meetings (1 to 60); the horizon moves forward at start and daily"},
	{"auth-cache-ttl", "RENCONTRE_AUTH_CACHE_TTL", kindDuration, auth.DefaultCacheTTL.String(), "how long a validated API token is trusted without reading the database again, 0 to 5m (0: no cache); a token revoked or a membership changed through this server applies at once there, and on PostgreSQL at once on the other servers too (LISTEN/NOTIFY); a change no server announces applies within this time"},
	{"metrics-addr", "RENCONTRE_METRICS_ADDR", kindString, "", "address of a separate listener serving Prometheus metrics at /metrics, without authentication: keep it on a private network (e.g. 127.0.0.1:9090)"},
	{"gc-heap-target", "RENCONTRE_GC_HEAP_TARGET", kindInt, strconv.Itoa(DefaultGCHeapTargetMiB), "MiB the heap may grow to between garbage collections while the live heap is under half of it (GOGC tuned after each collection, 100 to 500; Go's default above): more requests per second for more memory; 0 (the default), or GOGC set in the environment: Go's GOGC alone"},
	{"pprof-addr", "RENCONTRE_PPROF_ADDR", kindString, "", "loopback address of a separate listener serving Go's profiler at /debug/pprof/ (e.g. 127.0.0.1:6060); other addresses are refused"},
}

// limitSetting is one of the limits on the shape of an operation, each a
// positive integer setting whose default is graph.DefaultLimits'.
type limitSetting struct {
	flag, env, usage string
	field            func(*graph.Limits) *int
}

var limitSettings = []limitSetting{
	{"max-query-tokens", "RENCONTRE_MAX_QUERY_TOKENS", "most lexical tokens in a query document (QUERY_TOO_LONG)",
		func(l *graph.Limits) *int { return &l.MaxTokens }},
	{"max-fields", "RENCONTRE_MAX_FIELDS", "most fields of a document once fragments are expanded (QUERY_TOO_LARGE)",
		func(l *graph.Limits) *int { return &l.MaxFields }},
	{"max-depth", "RENCONTRE_MAX_DEPTH", "deepest nesting of selections, through fragments (QUERY_TOO_DEEP)",
		func(l *graph.Limits) *int { return &l.MaxDepth }},
	{"max-root-fields", "RENCONTRE_MAX_ROOT_FIELDS", "most root fields of one operation, aliases included (TOO_MANY_ROOT_FIELDS)",
		func(l *graph.Limits) *int { return &l.MaxRootFields }},
	{"max-fragments", "RENCONTRE_MAX_FRAGMENTS", "most fragment definitions in a document (TOO_MANY_FRAGMENTS)",
		func(l *graph.Limits) *int { return &l.MaxFragments }},
	{"max-field-repeats", "RENCONTRE_MAX_FIELD_REPEATS", "most selections of one response name in one selection set (TOO_MANY_REPEATS)",
		func(l *graph.Limits) *int { return &l.MaxFieldRepeats }},
	{"max-input-depth", "RENCONTRE_MAX_INPUT_DEPTH", "deepest nesting of input objects in an argument or variable (INPUT_TOO_DEEP)",
		func(l *graph.Limits) *int { return &l.MaxInputDepth }},
	{"max-predicates", "RENCONTRE_MAX_PREDICATES", "most fields of input objects in one where argument (TOO_MANY_PREDICATES)",
		func(l *graph.Limits) *int { return &l.MaxPredicates }},
	{"max-list-length", "RENCONTRE_MAX_LIST_LENGTH", "most items of the lists in one argument, together (LIST_TOO_LONG)",
		func(l *graph.Limits) *int { return &l.MaxListLength }},
	{"max-node-ids", "RENCONTRE_MAX_NODE_IDS", "most IDs of nodes(ids:) (LIST_TOO_LONG)",
		func(l *graph.Limits) *int { return &l.MaxNodeIDs }},
}

func init() {
	for _, l := range limitSettings {
		def := graph.DefaultLimits
		settings = append(settings, setting{l.flag, l.env, kindInt, strconv.Itoa(*l.field(&def)), l.usage})
	}
}

// value is a setting's flag: it keeps the text given, parsed once all flags
// are read, and whether the command line gave it.
type value struct {
	kind kind
	text string
	set  bool
}

// String implements flag.Value.
func (v *value) String() string {
	if v == nil {
		return ""
	}
	return v.text
}

// Set implements flag.Value.
func (v *value) Set(s string) error {
	v.text, v.set = s, true
	return nil
}

// IsBoolFlag lets a boolean setting be given bare (--demo), as a Go boolean
// flag.
func (v *value) IsBoolFlag() bool { return v.kind == kindBool }

// Load parses args (without the program name). A flag given on the command
// line wins over its environment variable, which wins over the default.
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	fs := flag.NewFlagSet("rencontre", flag.ContinueOnError)
	fs.SetOutput(usage)
	values := map[string]*value{}
	fromEnv := map[string]bool{}
	for _, s := range settings {
		v := &value{kind: s.kind, text: s.def}
		if e := getenv(s.env); e != "" {
			v.text, fromEnv[s.flag] = e, true
		}
		values[s.flag] = v
		fs.Var(v, s.flag, s.usage)
	}
	fs.Usage = func() { printUsage(usage) }
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		if fs.Arg(0) == "token" {
			return Config{}, fmt.Errorf("unknown command %q: the command is `rencontre token create [flags]`", strings.Join(fs.Args(), " "))
		}
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var (
		c   Config
		err error
	)
	c.Addr = values["addr"].text
	c.DatabaseURL = values["database-url"].text
	if c.PublicURL, err = parsePublicURL(values["public-url"].text); err != nil {
		return Config{}, err
	}
	for _, o := range strings.Split(values["cors-origins"].text, ",") {
		if o = strings.TrimSpace(o); o != "" {
			if o == "*" {
				return Config{}, fmt.Errorf("cors-origins: \"*\" is not accepted; list the origins")
			}
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if c.Production, err = parseBool(values, "production"); err != nil {
		return Config{}, err
	}
	// Production mode hides the playground unless it is asked for by name.
	c.Playground = !c.Production
	if pg := values["playground"]; pg.set || fromEnv["playground"] {
		if c.Playground, err = parseBool(values, "playground"); err != nil {
			return Config{}, err
		}
	}
	if c.Demo, err = parseBool(values, "demo"); err != nil {
		return Config{}, err
	}
	// The embedded file and the demo migrate themselves; a PostgreSQL
	// database is migrated by `rencontre migrate` unless asked for.
	c.AutoMigrate = database.AutoMigrateDefault(c.DatabaseURL, c.Demo)
	if am := values["auto-migrate"]; am.set || fromEnv["auto-migrate"] {
		if c.AutoMigrate, err = parseBool(values, "auto-migrate"); err != nil {
			return Config{}, err
		}
	}
	if c.ComplexityLimit, err = strconv.Atoi(values["complexity-limit"].text); err != nil || c.ComplexityLimit < 1 {
		return Config{}, fmt.Errorf("complexity-limit: %q is not a positive integer", values["complexity-limit"].text)
	}
	if c.MaxBodyBytes, err = strconv.ParseInt(values["max-body-bytes"].text, 10, 64); err != nil || c.MaxBodyBytes < 1 {
		return Config{}, fmt.Errorf("max-body-bytes: %q is not a positive integer", values["max-body-bytes"].text)
	}
	if c.MaxUploadBytes, err = strconv.ParseInt(values["max-upload-bytes"].text, 10, 64); err != nil || c.MaxUploadBytes < 1 {
		return Config{}, fmt.Errorf("max-upload-bytes: %q is not a positive integer", values["max-upload-bytes"].text)
	}
	if c.RequestTimeout, err = parseDuration(values, "request-timeout"); err != nil {
		return Config{}, err
	}
	if c.ShutdownTimeout, err = parseDuration(values, "shutdown-timeout"); err != nil {
		return Config{}, err
	}
	if c.Pool.MaxOpen, err = strconv.Atoi(values["db-max-open-conns"].text); err != nil || c.Pool.MaxOpen < 1 {
		return Config{}, fmt.Errorf("db-max-open-conns: %q is not a positive integer", values["db-max-open-conns"].text)
	}
	if c.Pool.MaxIdle, err = strconv.Atoi(values["db-max-idle-conns"].text); err != nil || c.Pool.MaxIdle < 0 || c.Pool.MaxIdle > c.Pool.MaxOpen {
		return Config{}, fmt.Errorf("db-max-idle-conns: %q is not an integer from 0 to db-max-open-conns (%d)", values["db-max-idle-conns"].text, c.Pool.MaxOpen)
	}
	if c.Pool.IdleTime, err = parseDuration(values, "db-conn-max-idle-time"); err != nil {
		return Config{}, err
	}
	if c.Pool.Statements, err = strconv.Atoi(values["db-statement-cache"].text); err != nil || c.Pool.Statements < 0 || c.Pool.Statements > 10000 {
		return Config{}, fmt.Errorf("db-statement-cache: %q is not an integer from 0 to 10000", values["db-statement-cache"].text)
	}
	if c.MaxNetworkEdges, err = strconv.Atoi(values["max-network-edges"].text); err != nil || c.MaxNetworkEdges < 1 {
		return Config{}, fmt.Errorf("max-network-edges: %q is not a positive integer", values["max-network-edges"].text)
	}
	if c.SeriesHorizon, err = strconv.Atoi(values["series-horizon"].text); err != nil || c.SeriesHorizon < 1 || c.SeriesHorizon > 60 {
		return Config{}, fmt.Errorf("series-horizon: %q is not a number of months from 1 to 60", values["series-horizon"].text)
	}
	if c.AuthCacheTTL, err = time.ParseDuration(values["auth-cache-ttl"].text); err != nil || c.AuthCacheTTL < 0 || c.AuthCacheTTL > maxAuthCacheTTL {
		return Config{}, fmt.Errorf("auth-cache-ttl: %q is not a duration from 0 to %s, such as 30s", values["auth-cache-ttl"].text, maxAuthCacheTTL)
	}
	if c.MetricsAddr, err = parseListenAddr(values, "metrics-addr", false); err != nil {
		return Config{}, err
	}
	if c.GCHeapTargetMiB, err = strconv.Atoi(values["gc-heap-target"].text); err != nil || c.GCHeapTargetMiB < 0 || c.GCHeapTargetMiB > 1<<20 {
		return Config{}, fmt.Errorf("gc-heap-target: %q is not a number of MiB from 0 to 1048576", values["gc-heap-target"].text)
	}
	if c.PprofAddr, err = parseListenAddr(values, "pprof-addr", true); err != nil {
		return Config{}, err
	}
	for _, l := range limitSettings {
		n, err := strconv.Atoi(values[l.flag].text)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("%s: %q is not a positive integer", l.flag, values[l.flag].text)
		}
		*l.field(&c.Limits) = n
	}
	return c, nil
}

// maxAuthCacheTTL bounds --auth-cache-ttl: a revoked token may stay usable
// on another server for that long when the change is not announced.
const maxAuthCacheTTL = 5 * time.Minute

// parseListenAddr accepts "" (no listener) or host:port; with loopbackOnly,
// the host must be a loopback address or localhost.
func parseListenAddr(values map[string]*value, name string, loopbackOnly bool) (string, error) {
	addr := strings.TrimSpace(values[name].text)
	if addr == "" {
		return "", nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("%s: %q is not an address such as 127.0.0.1:6060", name, addr)
	}
	if loopbackOnly {
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", fmt.Errorf("%s: %q is not a loopback address: the profiler must not be reachable from the network (use 127.0.0.1 or [::1])", name, addr)
		}
	}
	return addr, nil
}

// parsePublicURL accepts an absolute http or https URL with a host and no
// query, fragment or user information, and drops its trailing slash; "" stays
// "".
func parsePublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("public-url: %q is not an http or https address such as https://rencontre.example.org", s)
	}
	return strings.TrimRight(s, "/"), nil
}

func parseBool(values map[string]*value, name string) (bool, error) {
	b, err := strconv.ParseBool(values[name].text)
	if err != nil {
		return false, fmt.Errorf("%s: %q is not true or false", name, values[name].text)
	}
	return b, nil
}

func parseDuration(values map[string]*value, name string) (time.Duration, error) {
	d, err := time.ParseDuration(values[name].text)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive duration such as 10s or 1m30s", name, values[name].text)
	}
	return d, nil
}

// printUsage writes --help: the commands, then each setting with its kind,
// environment variable and default.
func printUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  rencontre [flags]                 serve the Rencontre GraphQL API
  rencontre migrate [flags]         apply the pending migrations of the database
  rencontre migrate status [flags]  list the applied and pending migrations
                                    (rencontre migrate --help lists their flags)
  rencontre token create [flags]    create an organization, an account and an API token
                                    (rencontre token create --help lists its flags)
  rencontre watch --meeting ID      print a meeting's live attendance events
                                    (rencontre watch --help lists its flags)
  rencontre import people --org SLUG file.csv
                                    import or update people from a CSV file
  rencontre generate [flags]        build a large organization for benchmarks

Flags of the server. Each has an environment variable as fallback; a flag given
on the command line wins. Boolean flags may be given bare (--demo) or with a
value (--demo=false).

`)
	for _, s := range settings {
		name := "--" + s.flag
		if s.kind != kindBool {
			name += " " + string(s.kind)
		}
		def := s.def
		switch {
		case s.flag == "playground":
			def = "true; false with --production"
		case s.flag == "auto-migrate":
			def = "true for sqlite: URLs and with --demo, false for PostgreSQL"
		case def == "":
			def = "none"
		}
		fmt.Fprintf(w, "  %s\n      %s\n      env %s, default %s\n", name, s.usage, s.env, def)
	}
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
