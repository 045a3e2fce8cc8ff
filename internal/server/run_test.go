package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/server"
	"github.com/rencontre/rencontre/internal/testenv"
)

// TestRunLetsInFlightRequestsFinish stops the server while a request is being
// served and checks that the request still gets its full answer.
func TestRunLetsInFlightRequestsFinish(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	ctx, stop := context.WithCancel(testenv.System())
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- server.Run(ctx, config.Config{Addr: "127.0.0.1:0"}, handler, func(addr string) { addrc <- addr })
	}()
	addr := <-addrc

	type answer struct {
		body string
		err  error
	}
	answers := make(chan answer, 1)
	go func() {
		rsp, err := http.Get("http://" + addr + "/")
		if err != nil {
			answers <- answer{err: err}
			return
		}
		defer rsp.Body.Close()
		b, err := io.ReadAll(rsp.Body)
		answers <- answer{string(b), err}
	}()
	<-started
	stop() // shutdown begins while the request is in flight
	close(release)

	if a := <-answers; a.err != nil || a.body != "finished" {
		t.Fatalf("in-flight request: body %q, error %v; want it to finish", a.body, a.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v after a graceful shutdown", err)
	}
	if _, err := http.Get("http://" + addr + "/"); err == nil {
		t.Fatal("the server still accepts connections after shutdown")
	}
}

// slowStatement is SQL that the database itself takes minutes to run: only
// the cancellation of its context ends it early.
func slowStatement() string {
	if testenv.Postgres() {
		return "SELECT pg_sleep(60)"
	}
	return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000000) SELECT max(x) FROM c"
}

type runKey struct{}

// TestRunCancelsWhatOutlastsTheGracePeriod stops the server while a request
// runs a statement that would take minutes: once the grace period is over,
// the statement is cancelled through the request's context, and Run returns
// nil, as after any stop.
func TestRunCancelsWhatOutlastsTheGracePeriod(t *testing.T) {
	c := testenv.Client(t)
	started := make(chan struct{})
	type outcome struct {
		sqlErr, cause error
		leaked        any
	}
	outcomes := make(chan outcome, 1)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		rows, err := c.QueryContext(r.Context(), slowStatement())
		if err == nil {
			for rows.Next() {
			}
			err = errors.Join(rows.Err(), rows.Close(), errors.New("the slow statement finished"))
		}
		outcomes <- outcome{err, context.Cause(r.Context()), r.Context().Value(runKey{})}
	})
	ctx, stop := context.WithCancel(context.WithValue(context.Background(), runKey{}, "a value of Run's context"))
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- server.Run(ctx, config.Config{Addr: "127.0.0.1:0", ShutdownTimeout: 200 * time.Millisecond}, handler, func(addr string) { addrc <- addr })
	}()
	addr := <-addrc
	clientErr := make(chan error, 1)
	go func() {
		res, err := http.Get("http://" + addr + "/")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		clientErr <- err
	}()
	<-started
	stop()

	if err := <-done; err != nil {
		t.Fatalf("Run returned %v, want nil after cancelling what was left", err)
	}
	o := <-outcomes
	if o.sqlErr == nil || strings.Contains(o.sqlErr.Error(), "finished") {
		t.Errorf("the statement returned %v, want it cancelled", o.sqlErr)
	}
	if !errors.Is(o.cause, context.Canceled) {
		t.Errorf("the request's context ended with %v, want context.Canceled", o.cause)
	}
	if o.leaked != nil {
		t.Errorf("the request's context carries %v from Run's context", o.leaked)
	}
	if err := <-clientErr; err == nil {
		t.Error("the cut request got a full answer")
	}
}
