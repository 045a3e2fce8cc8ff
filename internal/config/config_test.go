package config_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/database"
)

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func load(t *testing.T, args []string, vars map[string]string) config.Config {
	t.Helper()
	cfg, err := config.Load(args, env(vars), io.Discard)
	if err != nil {
		t.Fatalf("Load(%q, %v): %v", args, vars, err)
	}
	return cfg
}

func TestDefaults(t *testing.T) {
	cfg := load(t, nil, nil)
	want := config.Config{
		Addr:            "127.0.0.1:8080",
		DatabaseURL:     database.DefaultURL,
		Playground:      true,
		Demo:            false,
		ComplexityLimit: graph.DefaultComplexityLimit,
		MaxBodyBytes:    graph.DefaultMaxBodyBytes,
		Production:      false,
		RequestTimeout:  graph.DefaultRequestTimeout,
		ShutdownTimeout: 15 * time.Second,
	}
	if len(cfg.CORSOrigins) != 0 {
		t.Errorf("CORSOrigins = %q, want none", cfg.CORSOrigins)
	}
	cfg.CORSOrigins = nil
	if cfg.Addr != want.Addr || cfg.DatabaseURL != want.DatabaseURL || cfg.Playground != want.Playground ||
		cfg.Demo != want.Demo || cfg.ComplexityLimit != want.ComplexityLimit || cfg.MaxBodyBytes != want.MaxBodyBytes ||
		cfg.Production != want.Production || cfg.RequestTimeout != want.RequestTimeout || cfg.ShutdownTimeout != want.ShutdownTimeout {
		t.Fatalf("defaults = %+v, want %+v", cfg, want)
	}
}

// settings names, for each setting, its flag, its environment variable, a
// value other than the default, and how to read the setting from a Config.
var settings = []struct {
	flag, env, value string
	read             func(config.Config) string
	want             string
}{
	{"addr", "RENCONTRE_ADDR", ":9999", func(c config.Config) string { return c.Addr }, ":9999"},
	{"database-url", "DATABASE_URL", "postgres://u@db:5432/r?sslmode=disable", func(c config.Config) string { return c.DatabaseURL }, "postgres://u@db:5432/r?sslmode=disable"},
	{"cors-origins", "RENCONTRE_CORS_ORIGINS", " https://a.example , https://b.example ", func(c config.Config) string { return strings.Join(c.CORSOrigins, "|") }, "https://a.example|https://b.example"},
	{"playground", "RENCONTRE_PLAYGROUND", "false", func(c config.Config) string { return boolString(c.Playground) }, "false"},
	{"demo", "RENCONTRE_DEMO", "true", func(c config.Config) string { return boolString(c.Demo) }, "true"},
	{"complexity-limit", "RENCONTRE_COMPLEXITY_LIMIT", "1234", func(c config.Config) string { return itoa(int64(c.ComplexityLimit)) }, "1234"},
	{"max-body-bytes", "RENCONTRE_MAX_BODY_BYTES", "4096", func(c config.Config) string { return itoa(c.MaxBodyBytes) }, "4096"},
	{"production", "RENCONTRE_PRODUCTION", "true", func(c config.Config) string { return boolString(c.Production) }, "true"},
	{"request-timeout", "RENCONTRE_REQUEST_TIMEOUT", "1m30s", func(c config.Config) string { return c.RequestTimeout.String() }, "1m30s"},
	{"shutdown-timeout", "RENCONTRE_SHUTDOWN_TIMEOUT", "2s", func(c config.Config) string { return c.ShutdownTimeout.String() }, "2s"},
	{"public-url", "RENCONTRE_PUBLIC_URL", "https://cal.example.org/", func(c config.Config) string { return c.PublicURL }, "https://cal.example.org"},
	{"auth-cache-ttl", "RENCONTRE_AUTH_CACHE_TTL", "1m", func(c config.Config) string { return c.AuthCacheTTL.String() }, "1m0s"},
	{"metrics-addr", "RENCONTRE_METRICS_ADDR", "10.0.0.5:9090", func(c config.Config) string { return c.MetricsAddr }, "10.0.0.5:9090"},
	{"pprof-addr", "RENCONTRE_PPROF_ADDR", "[::1]:6060", func(c config.Config) string { return c.PprofAddr }, "[::1]:6060"},
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestEnvironmentIsAFallback(t *testing.T) {
	for _, s := range settings {
		t.Run(s.env+" sets "+s.flag, func(t *testing.T) {
			cfg := load(t, nil, map[string]string{s.env: s.value})
			if got := s.read(cfg); got != s.want {
				t.Fatalf("%s = %q, want %q", s.flag, got, s.want)
			}
		})
	}
}

func TestFlagWinsOverEnvironment(t *testing.T) {
	for _, s := range settings {
		t.Run(s.flag, func(t *testing.T) {
			def := s.read(load(t, nil, nil))
			// The environment holds the default, the flag the other value.
			envValue := def
			if s.flag == "cors-origins" {
				envValue = "https://env.example"
			}
			cfg := load(t, []string{"--" + s.flag + "=" + s.value}, map[string]string{s.env: envValue})
			if got := s.read(cfg); got != s.want {
				t.Fatalf("%s = %q with flag %q and env %q, want the flag's %q", s.flag, got, s.value, envValue, s.want)
			}
			// And the other way round: the flag gives the default back.
			if s.flag == "cors-origins" {
				return
			}
			cfg = load(t, []string{"-" + s.flag + "=" + def}, map[string]string{s.env: s.value})
			if got := s.read(cfg); got != def {
				t.Fatalf("%s = %q with flag %q and env %q, want the flag's %q", s.flag, got, def, s.value, def)
			}
		})
	}
}

func TestBareBooleanFlags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		env        map[string]string
		demo, play bool
	}{
		{"--demo turns the demo on", []string{"--demo"}, nil, true, true},
		{"-demo turns the demo on", []string{"-demo"}, nil, true, true},
		{"--demo wins over RENCONTRE_DEMO=false", []string{"--demo"}, map[string]string{"RENCONTRE_DEMO": "false"}, true, true},
		{"--demo=false turns it off", []string{"--demo=false"}, map[string]string{"RENCONTRE_DEMO": "true"}, false, true},
		{"--playground=false turns the playground off", []string{"--playground=false"}, nil, false, false},
		{"--playground wins over RENCONTRE_PLAYGROUND=false", []string{"--playground"}, map[string]string{"RENCONTRE_PLAYGROUND": "false"}, false, true},
		{"bare flags combine with others", []string{"--demo", "--addr", ":1", "--playground"}, nil, true, true},
		{"bare --production combines with others", []string{"--production", "--demo"}, nil, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := load(t, tc.args, tc.env)
			if cfg.Demo != tc.demo || cfg.Playground != tc.play {
				t.Fatalf("Demo = %v, Playground = %v; want %v, %v", cfg.Demo, cfg.Playground, tc.demo, tc.play)
			}
		})
	}
}

func TestCORSOrigins(t *testing.T) {
	t.Run("a list is split and trimmed", func(t *testing.T) {
		cfg := load(t, []string{"--cors-origins", "https://a.example,, https://b.example "}, nil)
		if want := []string{"https://a.example", "https://b.example"}; !slices.Equal(cfg.CORSOrigins, want) {
			t.Fatalf("CORSOrigins = %q, want %q", cfg.CORSOrigins, want)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"* as a flag is refused", []string{"--cors-origins=*"}, nil},
		{"* in a list is refused", []string{"--cors-origins=https://a.example,*"}, nil},
		{"* in the environment is refused", nil, map[string]string{"RENCONTRE_CORS_ORIGINS": "*"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load(tc.args, env(tc.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), "cors-origins") {
				t.Fatalf("err = %v, want an error naming cors-origins", err)
			}
		})
	}
}

func TestBadValuesAreRefused(t *testing.T) {
	for _, tc := range []struct {
		setting, env, value string
	}{
		{"complexity-limit", "RENCONTRE_COMPLEXITY_LIMIT", "lots"},
		{"complexity-limit", "RENCONTRE_COMPLEXITY_LIMIT", "0"},
		{"complexity-limit", "RENCONTRE_COMPLEXITY_LIMIT", "-5"},
		{"complexity-limit", "RENCONTRE_COMPLEXITY_LIMIT", "1.5"},
		{"max-body-bytes", "RENCONTRE_MAX_BODY_BYTES", "1MB"},
		{"max-body-bytes", "RENCONTRE_MAX_BODY_BYTES", "0"},
		{"max-body-bytes", "RENCONTRE_MAX_BODY_BYTES", "-1"},
		{"playground", "RENCONTRE_PLAYGROUND", "yes"},
		{"demo", "RENCONTRE_DEMO", "maybe"},
		{"production", "RENCONTRE_PRODUCTION", "on"},
		{"request-timeout", "RENCONTRE_REQUEST_TIMEOUT", "10"},
		{"request-timeout", "RENCONTRE_REQUEST_TIMEOUT", "0s"},
		{"request-timeout", "RENCONTRE_REQUEST_TIMEOUT", "-1s"},
		{"shutdown-timeout", "RENCONTRE_SHUTDOWN_TIMEOUT", "soon"},
		{"public-url", "RENCONTRE_PUBLIC_URL", "cal.example.org"},
		{"public-url", "RENCONTRE_PUBLIC_URL", "ftp://cal.example.org"},
		{"public-url", "RENCONTRE_PUBLIC_URL", "https://cal.example.org/?x=1"},
		{"public-url", "RENCONTRE_PUBLIC_URL", "https://user@cal.example.org"},
		{"series-horizon", "RENCONTRE_SERIES_HORIZON", "0"},
		{"series-horizon", "RENCONTRE_SERIES_HORIZON", "61"},
		{"max-network-edges", "RENCONTRE_MAX_NETWORK_EDGES", "0"},
		{"db-max-open-conns", "RENCONTRE_DB_MAX_OPEN_CONNS", "0"},
		{"db-max-idle-conns", "RENCONTRE_DB_MAX_IDLE_CONNS", "21"},
		{"db-max-idle-conns", "RENCONTRE_DB_MAX_IDLE_CONNS", "-1"},
		{"db-conn-max-idle-time", "RENCONTRE_DB_CONN_MAX_IDLE_TIME", "forever"},
		{"db-statement-cache", "RENCONTRE_DB_STATEMENT_CACHE", "-1"},
		{"db-statement-cache", "RENCONTRE_DB_STATEMENT_CACHE", "10001"},
		{"gc-heap-target", "RENCONTRE_GC_HEAP_TARGET", "-1"},
		{"gc-heap-target", "RENCONTRE_GC_HEAP_TARGET", "64MiB"},
		{"auth-cache-ttl", "RENCONTRE_AUTH_CACHE_TTL", "10m"},
		{"auth-cache-ttl", "RENCONTRE_AUTH_CACHE_TTL", "-1s"},
		{"auth-cache-ttl", "RENCONTRE_AUTH_CACHE_TTL", "soon"},
		{"metrics-addr", "RENCONTRE_METRICS_ADDR", "nowhere"},
		{"pprof-addr", "RENCONTRE_PPROF_ADDR", "0.0.0.0:6060"},
		{"pprof-addr", "RENCONTRE_PPROF_ADDR", ":6060"},
		{"pprof-addr", "RENCONTRE_PPROF_ADDR", "10.1.2.3:6060"},
		{"pprof-addr", "RENCONTRE_PPROF_ADDR", "example.org:6060"},
		{"pprof-addr", "RENCONTRE_PPROF_ADDR", "127.0.0.1"},
	} {
		t.Run("flag "+tc.setting+"="+tc.value, func(t *testing.T) {
			_, err := config.Load([]string{"--" + tc.setting + "=" + tc.value}, env(nil), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.setting) || !strings.Contains(err.Error(), tc.value) {
				t.Fatalf("err = %v, want an error naming %s and %q", err, tc.setting, tc.value)
			}
		})
		t.Run("env "+tc.env+"="+tc.value, func(t *testing.T) {
			_, err := config.Load(nil, env(map[string]string{tc.env: tc.value}), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.setting) || !strings.Contains(err.Error(), tc.value) {
				t.Fatalf("err = %v, want an error naming %s and %q", err, tc.setting, tc.value)
			}
		})
	}
	t.Run("an unknown flag is refused", func(t *testing.T) {
		if _, err := config.Load([]string{"--colour=blue"}, env(nil), io.Discard); err == nil {
			t.Fatal("no error for an unknown flag")
		}
	})
	t.Run("a stray argument is refused", func(t *testing.T) {
		_, err := config.Load([]string{"serve"}, env(nil), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "serve") {
			t.Fatalf("err = %v, want an error naming the argument", err)
		}
	})
}

func TestProductionModeHidesThePlaygroundUnlessAskedFor(t *testing.T) {
	for _, tc := range []struct {
		name             string
		args             []string
		env              map[string]string
		production, play bool
	}{
		{"by default: not production, playground", nil, nil, false, true},
		{"--production turns the playground off", []string{"--production"}, nil, true, false},
		{"RENCONTRE_PRODUCTION=true turns the playground off", nil, map[string]string{"RENCONTRE_PRODUCTION": "true"}, true, false},
		{"--production with --playground keeps it", []string{"--production", "--playground"}, nil, true, true},
		{"--playground before --production keeps it", []string{"--playground", "--production"}, nil, true, true},
		{"--production with RENCONTRE_PLAYGROUND=true keeps it", []string{"--production"}, map[string]string{"RENCONTRE_PLAYGROUND": "true"}, true, true},
		{"--production=false leaves the playground on", []string{"--production=false"}, map[string]string{"RENCONTRE_PRODUCTION": "true"}, false, true},
		{"--playground=false turns it off outside production", []string{"--playground=false"}, nil, false, false},
		{"--playground=true in production keeps it", []string{"--playground=true"}, map[string]string{"RENCONTRE_PRODUCTION": "1"}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := load(t, tc.args, tc.env)
			if cfg.Production != tc.production || cfg.Playground != tc.play {
				t.Fatalf("Production = %v, Playground = %v; want %v, %v", cfg.Production, cfg.Playground, tc.production, tc.play)
			}
		})
	}
}

func TestHelpListsCommandsAndTypedFlags(t *testing.T) {
	var out bytes.Buffer
	_, err := config.Load([]string{"--help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	help := out.String()
	for _, want := range []string{
		"rencontre [flags]", "rencontre token create",
		"  --production\n", "  --playground\n", "  --demo\n", // booleans, without a value type
		"  --addr string\n", "  --complexity-limit int\n", "  --request-timeout duration\n", "  --shutdown-timeout duration\n",
		"default 10s", "default 15s", "default true; false with --production",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q:\n%s", want, help)
		}
	}
	for _, s := range settings {
		if !strings.Contains(help, "--"+s.flag) || !strings.Contains(help, s.env) {
			t.Errorf("--help lacks --%s or %s", s.flag, s.env)
		}
	}
	if strings.Contains(help, "--demo string") || strings.Contains(help, "--production string") {
		t.Errorf("--help shows a boolean flag as a string:\n%s", help)
	}
}

func TestTokenWithoutCreateIsExplained(t *testing.T) {
	_, err := config.Load([]string{"token"}, env(nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "rencontre token create") {
		t.Fatalf("err = %v, want it to name `rencontre token create`", err)
	}
}

// TestLimitsDefaultToTheAPIsAndAreSettable checks every limit setting: its
// default is graph.DefaultLimits', a flag or variable changes it, and a value
// that is not a positive integer is refused.
func TestLimitsDefaultToTheAPIsAndAreSettable(t *testing.T) {
	if got := load(t, nil, nil).Limits; got != graph.DefaultLimits {
		t.Fatalf("default limits %+v, want %+v", got, graph.DefaultLimits)
	}
	got := load(t, []string{"--max-depth", "9", "--max-node-ids", "7"}, map[string]string{"RENCONTRE_MAX_FIELDS": "500", "RENCONTRE_MAX_NODE_IDS": "8"})
	if got.Limits.MaxDepth != 9 || got.Limits.MaxFields != 500 || got.Limits.MaxNodeIDs != 7 || got.Limits.MaxTokens != graph.DefaultLimits.MaxTokens {
		t.Fatalf("limits %+v", got.Limits)
	}
	for _, bad := range []string{"0", "-1", "many"} {
		if _, err := config.Load([]string{"--max-fields", bad}, env(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "max-fields") {
			t.Errorf("--max-fields %s: error %v, want one naming max-fields", bad, err)
		}
	}
}

// TestAutoMigrateDefaultsByDatabase: the embedded SQLite file and the demo
// migrate themselves at start; a PostgreSQL database only when asked.
func TestAutoMigrateDefaultsByDatabase(t *testing.T) {
	const pg = "postgres://u@h:5432/db?sslmode=disable"
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"SQLite by default", nil, nil, true},
		{"PostgreSQL", []string{"--database-url", pg}, nil, false},
		{"PostgreSQL with the demo", []string{"--database-url", pg, "--demo"}, nil, true},
		{"PostgreSQL asked by flag", []string{"--database-url", pg, "--auto-migrate"}, nil, true},
		{"PostgreSQL asked by environment", nil, map[string]string{"DATABASE_URL": pg, "RENCONTRE_AUTO_MIGRATE": "true"}, true},
		{"SQLite refused by flag", []string{"--auto-migrate=false"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := load(t, tc.args, tc.env).AutoMigrate; got != tc.want {
				t.Errorf("AutoMigrate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPoolSeriesAndNetworkSettings(t *testing.T) {
	def := load(t, nil, nil)
	if def.Pool.MaxOpen != 20 || def.Pool.MaxIdle != 20 || def.Pool.IdleTime != 5*time.Minute || def.Pool.Statements != 256 || def.SeriesHorizon != 12 || def.MaxNetworkEdges != 50000 {
		t.Fatalf("defaults: pool %+v, series horizon %d, max network edges %d", def.Pool, def.SeriesHorizon, def.MaxNetworkEdges)
	}
	c := load(t, []string{"--db-max-open-conns=50", "--db-max-idle-conns=50", "--db-conn-max-idle-time=1m", "--db-statement-cache=0", "--series-horizon=24", "--max-network-edges=1000"}, nil)
	if c.Pool.MaxOpen != 50 || c.Pool.MaxIdle != 50 || c.Pool.IdleTime != time.Minute || c.Pool.Statements != 0 || c.SeriesHorizon != 24 || c.MaxNetworkEdges != 1000 {
		t.Fatalf("set: pool %+v, series horizon %d, max network edges %d", c.Pool, c.SeriesHorizon, c.MaxNetworkEdges)
	}
}

func TestOperationsSettings(t *testing.T) {
	def := load(t, nil, nil)
	if def.AuthCacheTTL != 30*time.Second || def.MetricsAddr != "" || def.PprofAddr != "" || def.GCHeapTargetMiB != 0 {
		t.Fatalf("defaults: auth cache TTL %s, metrics %q, pprof %q, GC heap target %d MiB; want 30s, no listeners, 0 (off)", def.AuthCacheTTL, def.MetricsAddr, def.PprofAddr, def.GCHeapTargetMiB)
	}
	c := load(t, []string{"--auth-cache-ttl=0", "--pprof-addr=localhost:6060", "--metrics-addr=127.0.0.1:9090"}, map[string]string{"RENCONTRE_GC_HEAP_TARGET": "32"})
	if c.AuthCacheTTL != 0 || c.PprofAddr != "localhost:6060" || c.MetricsAddr != "127.0.0.1:9090" || c.GCHeapTargetMiB != 32 {
		t.Fatalf("set: auth cache TTL %s, metrics %q, pprof %q, GC heap target %d MiB", c.AuthCacheTTL, c.PprofAddr, c.MetricsAddr, c.GCHeapTargetMiB)
	}
}
