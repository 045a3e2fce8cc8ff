package server_test

import (
	"context"
	"io"
	"net/http"
	"testing"

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
