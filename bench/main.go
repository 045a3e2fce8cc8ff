// Command bench measures the attendee-network queries of a Rencontre server
// through HTTP, on an organization made by `rencontre generate`.
//
//	go run ./bench --database-url postgres://… --token rct_…   (starts the server itself)
//	go run ./bench --url http://127.0.0.1:8080 --token rct_…   (a running server)
//
// See bench/README.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

type bench struct {
	url, token string
	client     *http.Client
	rng        *rand.Rand
	serverPID  int
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	serverURL := flag.String("url", "", "base URL of a running server, e.g. http://127.0.0.1:8080 (default: start one on --database-url)")
	dbURL := flag.String("database-url", os.Getenv("DATABASE_URL"), "database of the server to start (env DATABASE_URL)")
	token := flag.String("token", os.Getenv("RENCONTRE_TOKEN"), "API token of the generated organization's owner (env RENCONTRE_TOKEN)")
	pid := flag.Int("server-pid", 0, "with --url: PID of the server, to read its peak RSS")
	runs := flag.Int("runs", 20, "measured runs of each query (the organization-wide ones: a quarter, at least 3)")
	warmup := flag.Int("warmup", 2, "warm-up runs, not measured")
	meetingID := flag.String("meeting", "", "meeting of the network and seating benchmarks (default: the one with the most participants)")
	seed := flag.Uint64("seed", 1, "seed of the random people")
	maxEdges := flag.Int("max-network-edges", 0, "with --database-url: the server's --max-network-edges (0: its default)")
	timeout := flag.Duration("timeout", 5*time.Minute, "HTTP timeout of one request (and, with --database-url, the server's --request-timeout)")
	exportRuns := flag.Int("export-runs", 3, "measured runs of each organization-wide export (no warm-up); 0 skips them")
	exportMetrics := flag.Bool("export-metrics", true, "also time the organization-wide export with metrics (slow at 400k relationships)")
	flag.Parse()
	if *token == "" {
		return errors.New("--token (or RENCONTRE_TOKEN) is required: the token printed by `rencontre generate`")
	}
	b := &bench{url: strings.TrimRight(*serverURL, "/"), token: *token, client: &http.Client{Timeout: *timeout},
		rng: rand.New(rand.NewPCG(*seed, 7)), serverPID: *pid}
	if b.url == "" {
		if *dbURL == "" {
			return errors.New("give --url of a running server or --database-url to start one")
		}
		stop, err := b.startServer(*dbURL, *maxEdges, *timeout)
		if err != nil {
			return err
		}
		defer stop()
	}

	meeting, size, err := b.bigMeeting(*meetingID)
	if err != nil {
		return err
	}
	people, err := b.people(300)
	if err != nil {
		return err
	}
	fmt.Printf("server %s; meeting %s (%d participants); %d people sampled; %d runs after %d warm-up\n\n",
		b.url, meeting, size, len(people), *runs, *warmup)
	fmt.Printf("%-60s %6s %10s %10s %10s %10s  %s\n", "benchmark", "runs", "median", "p95", "min", "max", "target")
	few := max(3, *runs/4)
	randomPerson := func() string { return people[b.rng.IntN(len(people))] }

	b.measure("network(meetingID) with metrics", *runs, *warmup, "< 300 ms", func() (string, error) {
		var out struct {
			Network struct {
				Stats struct{ NodeCount, EdgeCount int }
			}
		}
		err := b.gql(`query($id: ID!) { network(scope: {meetingID: $id}) {
			nodes { id degree weightedDegree betweenness closeness community }
			edges { id source target strength currentStrength }
			stats { nodeCount edgeCount density components modularity isolated { id } bridges { source target } brokers { person { id } communitiesReached } } } }`,
			map[string]any{"id": meeting}, &out)
		return fmt.Sprintf("%d nodes, %d edges", out.Network.Stats.NodeCount, out.Network.Stats.EdgeCount), err
	})
	// The first path of a freshly started server loads the organization's
	// graph into its cache: timed once, apart.
	{
		start := time.Now()
		var out struct{ IntroductionPath struct{ Cost *float64 } }
		err := b.gql(`query($from: ID!, $to: ID!) { introductionPath(from: $from, to: $to) { cost } }`,
			map[string]any{"from": people[0], "to": people[1]}, &out)
		if err != nil {
			fmt.Printf("%-60s error: %v\n", "first introductionPath (loads the graph cache)", err)
		} else {
			fmt.Printf("%-60s %6d %10s %45s\n", "first introductionPath (loads the graph cache)", 1, ms(time.Since(start)), "(once)")
		}
	}
	b.measure("introductionPath(random, random)", *runs, *warmup, "median < 50 ms", func() (string, error) {
		var out struct {
			IntroductionPath struct {
				People []struct{ ID string }
				Cost   *float64
			}
		}
		from, to := randomPerson(), randomPerson()
		for to == from {
			to = randomPerson()
		}
		err := b.gql(`query($from: ID!, $to: ID!) { introductionPath(from: $from, to: $to) { people { id } cost } }`,
			map[string]any{"from": from, "to": to}, &out)
		return fmt.Sprintf("%d people", len(out.IntroductionPath.People)), err
	})
	b.measure("Person.network(depth: 2) of a random person", *runs, *warmup, "median < 20 ms", func() (string, error) {
		var out struct {
			Node struct {
				Network struct {
					Stats struct{ NodeCount, EdgeCount int }
				}
			}
		}
		err := b.gql(`query($id: ID!) { node(id: $id) { ... on Person { network(depth: 2) { stats { nodeCount edgeCount } } } } }`,
			map[string]any{"id": randomPerson()}, &out)
		return fmt.Sprintf("%d nodes, %d edges", out.Node.Network.Stats.NodeCount, out.Node.Network.Stats.EdgeCount), err
	})

	b.measure("Person.network(depth: 2) with nodes and edges", *runs, *warmup, "(no target)", func() (string, error) {
		var out struct {
			Node struct {
				Network struct {
					Nodes []struct{ ID string }
					Edges []struct{ ID string }
				}
			}
		}
		err := b.gql(`query($id: ID!) { node(id: $id) { ... on Person { network(depth: 2) { nodes { id name communities { id } } edges { id source target currentStrength } } } } }`,
			map[string]any{"id": randomPerson()}, &out)
		return fmt.Sprintf("%d nodes, %d edges", len(out.Node.Network.Nodes), len(out.Node.Network.Edges)), err
	})

	// The organization: minStrength 0 first; if refused, the smallest of a
	// ladder that passes.
	orgQuery := `query($s: Float!) { network(scope: {organization: true}, minStrength: $s) { stats { nodeCount edgeCount components modularity } } }`
	var orgOut struct {
		Network struct {
			Stats struct {
				NodeCount, EdgeCount, Components int
				Modularity                       float64
			}
		}
	}
	minStrength := -1.0
	for _, s := range []float64{0, 0.5, 1, 1.5, 2, 3, 4, 6, 8} {
		start := time.Now()
		err := b.gql(orgQuery, map[string]any{"s": s}, &orgOut)
		if err == nil {
			minStrength = s
			break
		}
		if !strings.Contains(err.Error(), "NETWORK_TOO_LARGE") {
			fmt.Printf("%-60s error: %v\n", "network(organization: true)", err)
			break
		}
		fmt.Printf("%-60s refused with NETWORK_TOO_LARGE in %s\n", fmt.Sprintf("network(organization: true, minStrength: %g)", s), time.Since(start).Round(time.Millisecond))
	}
	if minStrength >= 0 {
		b.measure(fmt.Sprintf("network(organization: true, minStrength: %g)", minStrength), few, 1, "< 5 s", func() (string, error) {
			err := b.gql(orgQuery, map[string]any{"s": minStrength}, &orgOut)
			st := orgOut.Network.Stats
			return fmt.Sprintf("%d nodes, %d edges, %d components, modularity %.3f", st.NodeCount, st.EdgeCount, st.Components, st.Modularity), err
		})
	}
	if *exportRuns > 0 {
		if *exportMetrics {
			b.measure("GET /export/network.json?organization=true", *exportRuns, 0, "(export)", func() (string, error) {
				n, err := b.get("/export/network.json?organization=true")
				return fmt.Sprintf("%.1f MB", float64(n)/1e6), err
			})
		}
		b.measure("GET /export/network.json?organization=true&metrics=false", *exportRuns, 0, "(export)", func() (string, error) {
			n, err := b.get("/export/network.json?organization=true&metrics=false")
			return fmt.Sprintf("%.1f MB", float64(n)/1e6), err
		})
	}

	b.measure("meetingSeatingPlan(tables of 8, 4 rounds)", few, 1, "< 2 s", func() (string, error) {
		var out struct {
			MeetingSeatingPlan struct {
				Plan *struct {
					NewPairs, UpperBound, Violations int
				}
				UserErrors []struct{ Message string }
			}
		}
		err := b.gql(`mutation($id: ID!) { meetingSeatingPlan(input: {meetingID: $id, tableSize: 8, rounds: 4}) {
			plan { newPairs upperBound violations rounds { number tables { number people { id } } } } userErrors { message code } } }`,
			map[string]any{"id": meeting}, &out)
		if err == nil && len(out.MeetingSeatingPlan.UserErrors) > 0 {
			err = fmt.Errorf("user error: %s", out.MeetingSeatingPlan.UserErrors[0].Message)
		}
		if p := out.MeetingSeatingPlan.Plan; p != nil {
			return fmt.Sprintf("%d new pairs of %d possible, %d violations", p.NewPairs, p.UpperBound, p.Violations), err
		}
		return "", err
	})

	if b.serverPID > 0 {
		if hwm, rss, err := peakRSS(b.serverPID); err == nil {
			fmt.Printf("\nserver peak RSS (VmHWM) %s, current RSS %s\n", hwm, rss)
		} else {
			fmt.Printf("\nserver peak RSS: %v\n", err)
		}
	}
	return nil
}

// measure runs f warmup+runs times and prints the median and p95 of the
// measured runs.
func (b *bench) measure(name string, runs, warmup int, target string, f func() (string, error)) {
	var ds []time.Duration
	var note string
	for i := 0; i < warmup+runs; i++ {
		start := time.Now()
		n, err := f()
		d := time.Since(start)
		if err != nil {
			fmt.Printf("%-60s error: %v\n", name, err)
			return
		}
		if i >= warmup {
			ds = append(ds, d)
			note = n
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	fmt.Printf("%-60s %6d %10s %10s %10s %10s  %s  [%s]\n", name, len(ds), ms(quantile(ds, 0.5)), ms(quantile(ds, 0.95)),
		ms(ds[0]), ms(ds[len(ds)-1]), target, note)
}

// quantile is the nearest-rank quantile of sorted durations.
func quantile(ds []time.Duration, q float64) time.Duration {
	i := int(float64(len(ds))*q+0.999999) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms" }

// gql posts a GraphQL operation and decodes its data into out; GraphQL errors
// are returned with their codes.
func (b *bench) gql(query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, b.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+b.token)
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s: %s", r.Errors[0].Extensions.Code, r.Errors[0].Message)
	}
	return json.Unmarshal(r.Data, out)
}

// get downloads path and returns its size.
func (b *bench) get(path string) (int64, error) {
	req, err := http.NewRequest(http.MethodGet, b.url+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return n, err
}

// bigMeeting returns the given meeting, or the one of the generator's
// "Annual meeting" titles, or else the largest of the first 100 meetings.
func (b *bench) bigMeeting(id string) (string, int, error) {
	type conn struct {
		Edges []struct {
			Node struct {
				ID             string
				Title          string
				Participations struct{ TotalCount int }
			}
		}
	}
	var out struct{ Meetings conn }
	where := map[string]any{"titleHasPrefix": "Annual meeting"}
	if id != "" {
		where = map[string]any{"id": id}
	}
	q := `query($w: MeetingWhereInput) { meetings(first: 100, where: $w) { edges { node { id title participations { totalCount } } } } }`
	if err := b.gql(q, map[string]any{"w": where}, &out); err != nil {
		return "", 0, err
	}
	if len(out.Meetings.Edges) == 0 && id == "" {
		if err := b.gql(q, map[string]any{"w": nil}, &out); err != nil {
			return "", 0, err
		}
	}
	best, size := "", -1
	for _, e := range out.Meetings.Edges {
		if e.Node.Participations.TotalCount > size {
			best, size = e.Node.ID, e.Node.Participations.TotalCount
		}
	}
	if best == "" {
		return "", 0, errors.New("no meeting found: run `rencontre generate` first")
	}
	return best, size, nil
}

// people samples up to n people of the organization: IDs drawn between the
// lowest and highest person IDs (the generator's are contiguous), kept when
// nodes() finds them.
func (b *bench) people(n int) ([]string, error) {
	var ends struct {
		First, Last struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	if err := b.gql(`{ first: people(first: 1) { edges { node { id } } } last: people(last: 1) { edges { node { id } } } }`, nil, &ends); err != nil {
		return nil, err
	}
	if len(ends.First.Edges) == 0 {
		return nil, errors.New("the organization has no people")
	}
	lo, _ := strconv.Atoi(ends.First.Edges[0].Node.ID)
	hi, _ := strconv.Atoi(ends.Last.Edges[0].Node.ID)
	if lo > hi {
		lo, hi = hi, lo
	}
	var out []string
	for tries := 0; len(out) < n && tries < 20; tries++ {
		ids := make([]string, 100)
		for i := range ids {
			ids[i] = strconv.Itoa(lo + b.rng.IntN(hi-lo+1))
		}
		var got struct {
			Nodes []*struct {
				ID       string
				Typename string `json:"__typename"`
			}
		}
		if err := b.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": ids}, &got); err != nil {
			return nil, err
		}
		for _, p := range got.Nodes {
			if p != nil && p.Typename == "Person" {
				out = append(out, p.ID)
			}
		}
	}
	if len(out) < 2 {
		return nil, errors.New("could not sample people")
	}
	return out[:min(n, len(out))], nil
}

// startServer builds the server and starts it on a free port.
func (b *bench) startServer(dbURL string, maxEdges int, timeout time.Duration) (func(), error) {
	dir, err := os.MkdirTemp("", "rencontre-bench")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "rencontre")
	build := exec.Command("go", "build", "-o", bin, "github.com/rencontre/rencontre")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building the server: %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	args := []string{"--addr", addr, "--database-url", dbURL, "--request-timeout", timeout.String()}
	if maxEdges > 0 {
		args = append(args, "--max-network-edges", strconv.Itoa(maxEdges))
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b.url, b.serverPID = "http://"+addr, cmd.Process.Pid
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		logf.Close()
		os.RemoveAll(dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		resp, err := http.Get(b.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
		select {
		case <-ctx.Done():
			log, _ := os.ReadFile(logf.Name())
			stop()
			return nil, fmt.Errorf("the server did not get ready:\n%s", log)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// peakRSS reads VmHWM and VmRSS of a process (Linux).
func peakRSS(pid int) (hwm, rss string, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "VmHWM":
			hwm = strings.TrimSpace(v)
		case "VmRSS":
			rss = strings.TrimSpace(v)
		}
	}
	return hwm, rss, nil
}
