package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// checkLoopback refuses any URL whose host is not a loopback address:
// the benchmark never sends load anywhere else.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%s: no host (a loopback address is required)", redact(u))
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s: %s is not a loopback address; the load benchmark only targets 127.0.0.0/8, ::1 or localhost", redact(u), host)
	}
	return nil
}

func redact(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	return c.String()
}

// request makes the body and checks the answer of one benchmark request.
type request struct {
	// body returns the JSON body of the i-th request of the cell.
	body func(i int64) []byte
	// ok tells whether a 200 answer to the i-th request is a success (no
	// GraphQL error, no user error).
	ok func(i int64, body []byte) bool
}

// anyRequest is an ok check that does not depend on the request.
func anyRequest(ok func([]byte) bool) func(int64, []byte) bool {
	return func(_ int64, b []byte) bool { return ok(b) }
}

// noErrors is the usual check: the answer has no "errors" entry.
func noErrors(body []byte) bool {
	return !bytes.Contains(body, []byte(`"errors":`))
}

// result is one cell of one round: one query on one server at one concurrency.
type result struct {
	requests, errors int
	elapsed          time.Duration
	p50, p99         time.Duration
	firstError       string
	sessions         int64 // PostgreSQL sessions opened during the cell; -1: not known
	rssKB            int64 // the server's highest VmRSS during the cell (sampled every 100 ms); 0: not known
}

func (r result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// maxSamples bounds the latencies kept per worker and cell.
const maxSamples = 1 << 20

// runCell sends req from n concurrent clients to endpoint: warm-up first
// (not counted), then duration, each request bounded by timeout. It returns
// when the duration is over and every in-flight request has ended (at most
// warmup + duration + timeout).
func runCell(ctx context.Context, client *http.Client, endpoint, token string, req request, n int, warmup, duration, timeout time.Duration) result {
	var seq atomic.Int64
	type worker struct {
		lat        []time.Duration
		errors     int
		firstError string
	}
	workers := make([]worker, n)
	start := time.Now()
	measureFrom := start.Add(warmup)
	end := measureFrom.Add(duration)
	ctx, cancel := context.WithDeadline(ctx, end.Add(timeout))
	defer cancel()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(wk *worker) {
			defer wg.Done()
			wk.lat = make([]time.Duration, 0, 4096)
			for {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					return
				}
				i := seq.Add(1) - 1
				ok, msg := do(ctx, client, endpoint, token, req, i, timeout)
				t1 := time.Now()
				if t0.Before(measureFrom) {
					continue
				}
				if t1.After(end) { // ended past the window: not counted
					return
				}
				if !ok {
					wk.errors++
					if wk.firstError == "" {
						wk.firstError = msg
					}
					continue
				}
				if len(wk.lat) < maxSamples {
					wk.lat = append(wk.lat, t1.Sub(t0))
				}
			}
		}(&workers[w])
	}
	wg.Wait()
	var all []time.Duration
	var res result
	for _, wk := range workers {
		all = append(all, wk.lat...)
		res.errors += wk.errors
		if res.firstError == "" {
			res.firstError = wk.firstError
		}
	}
	res.requests = len(all)
	res.elapsed = duration
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	res.p50, res.p99 = percentile(all, 0.50), percentile(all, 0.99)
	return res
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(q*float64(len(sorted))+0.999999999) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

func do(ctx context.Context, client *http.Client, endpoint, token string, req request, i int64, timeout time.Duration) (bool, string) {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(rctx, http.MethodPost, endpoint, bytes.NewReader(req.body(i)))
	if err != nil {
		return false, err.Error()
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(hr)
	if err != nil {
		return false, err.Error()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	resp.Body.Close()
	if err != nil {
		return false, err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Sprintf("HTTP %d: %s", resp.StatusCode, truncate(body))
	}
	if !req.ok(i, body) {
		return false, truncate(body)
	}
	return true, ""
}

func truncate(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// post sends one GraphQL request and returns its body (content checks, set-up).
func post(ctx context.Context, client *http.Client, endpoint, token string, body []byte) ([]byte, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, truncate(b))
	}
	return b, nil
}
