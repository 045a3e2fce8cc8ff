package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The phases after the rounds, on Rencontre alone: peak RSS at many clients
// (--rss-clients) and the leak check (--leak-check).

// rssGoalKB is issue 11's bound on Rencontre's RSS at 64 clients: < 100 MB.
const rssGoalKB = 100 * 1024

// procStatusKB reads a "kB" field of /proc/PID/status (VmRSS, VmHWM).
func procStatusKB(pid int, key string) (int64, bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == key {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// sampleRSS reads the VmRSS of pid every interval (and once at once) until
// the returned function is called, which returns the highest value read in
// kB (0 when none could be read: no /proc, the process gone).
func sampleRSS(pid int, every time.Duration) (stop func() int64) {
	var mu sync.Mutex
	var peak int64
	read := func() {
		if kb, ok := procStatusKB(pid, "VmRSS"); ok {
			mu.Lock()
			peak = max(peak, kb)
			mu.Unlock()
		}
	}
	read()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() int64 {
		close(done)
		wg.Wait()
		read()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

func mbKB(kb int64) string {
	if kb <= 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f MB", float64(kb)/1024)
}

// rssRow is one query of the RSS phase.
type rssRow struct {
	query string
	res   result
}

// rssPhase runs each query on t alone at n clients (warm-up, then duration)
// while sampling its VmRSS every 100 ms.
func rssPhase(ctx context.Context, t *target, queries []string, n int, warmup, duration, timeout time.Duration, logf func(string, ...any)) []rssRow {
	var rows []rssRow
	for _, q := range queries {
		req, ok := t.reqs[q]
		if !ok || ctx.Err() != nil {
			continue
		}
		stop := sampleRSS(t.proc.cmd.Process.Pid, 100*time.Millisecond)
		res := runCell(ctx, t.client, t.proc.endpoint, t.token, req, n, warmup, duration, timeout)
		res.rssKB = stop()
		logf("RSS phase %-22s c=%-3d %s %8.1f req/s p99 %s errors %d, peak RSS %s", q, n, t.name, res.rps(), ms(res.p99), res.errors, mbKB(res.rssKB))
		rows = append(rows, rssRow{q, res})
	}
	return rows
}

// leakSnapshot is what the leak check reads of Rencontre at rest.
type leakSnapshot struct {
	goroutines          int // go_goroutines
	poolOpen, poolInUse int // go_sql_open_connections, go_sql_in_use_connections (the main pool)
	fds                 int // process_open_fds
	// PostgreSQL sessions of the process (pg_stat_activity by
	// application_name): all, executing a statement, in a transaction.
	sessions, active, inTransaction int
}

// otherSessions bounds Rencontre's PostgreSQL sessions outside its main
// pool: 2 LISTEN connections (attendance events, token invalidations), the
// events' NOTIFY pool (4) and the authentication's (2).
const otherSessions = 8

// leakMargin is how many goroutines more than before the load still pass.
const leakMargin = 10

// leakVerdict says what is wrong after the load, if anything: goroutines
// not back within margin of the count before, more pool connections than
// the pool keeps idle (maxIdle) or some still in use, sessions executing a
// statement or left in a transaction, or more sessions than the pool's and
// otherSessions.
func leakVerdict(before, after leakSnapshot, maxIdle, margin int) []string {
	var bad []string
	if after.goroutines > before.goroutines+margin {
		bad = append(bad, fmt.Sprintf("%d goroutines, %d before the load (margin %d)", after.goroutines, before.goroutines, margin))
	}
	if after.poolOpen > maxIdle {
		bad = append(bad, fmt.Sprintf("the pool holds %d connections, more than its %d idle", after.poolOpen, maxIdle))
	}
	if after.poolInUse > 0 {
		bad = append(bad, fmt.Sprintf("%d pool connections still in use", after.poolInUse))
	}
	if after.active > 0 || after.inTransaction > 0 {
		bad = append(bad, fmt.Sprintf("%d PostgreSQL sessions active and %d in a transaction at rest", after.active, after.inTransaction))
	}
	if after.sessions > after.poolOpen+otherSessions {
		bad = append(bad, fmt.Sprintf("%d PostgreSQL sessions for %d pool connections (at most %d others expected)", after.sessions, after.poolOpen, otherSessions))
	}
	return bad
}

// metricValue is the sum of the samples of a metric in Prometheus' text
// format (one series for the metrics read here).
func metricValue(text, name string) (float64, bool) {
	var sum float64
	found := false
	for _, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		key, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if k, _, _ := strings.Cut(key, "{"); k != name {
			continue
		}
		if sp := strings.IndexByte(val, ' '); sp >= 0 { // a timestamp
			val = val[:sp]
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			continue
		}
		sum, found = sum+v, true
	}
	return sum, found
}

// readSnapshot reads Rencontre's metrics and its PostgreSQL sessions.
func readSnapshot(ctx context.Context, metricsURL string, db *sql.DB, appName string) (leakSnapshot, error) {
	var s leakSnapshot
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	if err != nil {
		return s, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return s, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	if err != nil {
		return s, err
	}
	text := string(b)
	for _, m := range []struct {
		name string
		dst  *int
	}{{"go_goroutines", &s.goroutines}, {"go_sql_open_connections", &s.poolOpen}, {"go_sql_in_use_connections", &s.poolInUse}, {"process_open_fds", &s.fds}} {
		v, ok := metricValue(text, m.name)
		if !ok {
			return s, fmt.Errorf("%s: no %s", metricsURL, m.name)
		}
		*m.dst = int(v)
	}
	err = db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE state LIKE 'idle in transaction%')
		FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, appName).Scan(&s.sessions, &s.active, &s.inTransaction)
	return s, err
}

// leakReport is the outcome of the leak check.
type leakReport struct {
	clients       int
	duration      time.Duration
	res           result
	before, after leakSnapshot
	settled       time.Duration // from the end of the load to the reading after
	problems      []string
}

// leakCheck reads Rencontre at rest, runs req (a mix of the operations) at
// n clients for duration, closes the clients' connections, waits a few
// seconds (up to 15 s more while goroutines are above the margin) and reads
// again.
func leakCheck(ctx context.Context, t *target, metricsURL string, db *sql.DB, appName string, req request, n int, duration, timeout time.Duration, maxIdle int) (*leakReport, error) {
	const rest = 3 * time.Second
	t.client.CloseIdleConnections()
	if err := sleep(ctx, rest); err != nil {
		return nil, err
	}
	before, err := readSnapshot(ctx, metricsURL, db, appName)
	if err != nil {
		return nil, fmt.Errorf("leak check, before: %w", err)
	}
	res := runCell(ctx, t.client, t.proc.endpoint, t.token, req, n, 0, duration, timeout)
	end := time.Now()
	t.client.CloseIdleConnections()
	if err := sleep(ctx, rest); err != nil {
		return nil, err
	}
	after, err := readSnapshot(ctx, metricsURL, db, appName)
	for err == nil && after.goroutines > before.goroutines+leakMargin && time.Since(end) < rest+15*time.Second {
		if err = sleep(ctx, time.Second); err == nil {
			after, err = readSnapshot(ctx, metricsURL, db, appName)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("leak check, after: %w", err)
	}
	return &leakReport{clients: n, duration: duration, res: res, before: before, after: after, settled: time.Since(end).Round(100 * time.Millisecond),
		problems: leakVerdict(before, after, maxIdle, leakMargin)}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// print writes the leak check's table and verdict (Markdown).
func (r *leakReport) print(w io.Writer, maxIdle int) {
	fmt.Fprintf(w, "\nLeak check: Rencontre, the four operations in turn at %d clients for %s (%d requests, %d errors%s); read at rest before the load, and %s after it (the clients' connections closed):\n\n",
		r.clients, r.duration, r.res.requests, r.res.errors, firstErr(r.res), r.settled)
	fmt.Fprintln(w, "| | before | after |")
	fmt.Fprintln(w, "|---|---|---|")
	fmt.Fprintf(w, "| goroutines | %d | %d |\n", r.before.goroutines, r.after.goroutines)
	fmt.Fprintf(w, "| main pool connections: open (in use) | %d (%d) | %d (%d) |\n", r.before.poolOpen, r.before.poolInUse, r.after.poolOpen, r.after.poolInUse)
	fmt.Fprintf(w, "| PostgreSQL sessions: all (active, in a transaction) | %d (%d, %d) | %d (%d, %d) |\n",
		r.before.sessions, r.before.active, r.before.inTransaction, r.after.sessions, r.after.active, r.after.inTransaction)
	fmt.Fprintf(w, "| open file descriptors | %d | %d |\n", r.before.fds, r.after.fds)
	fmt.Fprintln(w)
	if len(r.problems) == 0 {
		fmt.Fprintf(w, "Verdict: **no leak** (goroutines within +%d of the count before; pool ≤ its %d idle connections, none in use; no session active or in a transaction; sessions ≤ pool + %d).\n",
			leakMargin, maxIdle, otherSessions)
		return
	}
	fmt.Fprintf(w, "Verdict: **leak?** %s.\n", strings.Join(r.problems, "; "))
}

func firstErr(r result) string {
	if r.errors == 0 {
		return ""
	}
	return ", first: " + r.firstError
}
