package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNetworkExportIsMountedBehindTheToken(t *testing.T) {
	srv, _ := serve(t, defaults(t))
	tok, _ := tokens.Load(srv.URL)
	for _, path := range []string{"/export/network.graphml", "/export/network.json"} {
		r := get(t, srv.URL+path+"?organization=true")
		if r.status != http.StatusUnauthorized || r.graphQL(t).code() != "UNAUTHENTICATED" {
			t.Errorf("%s without a token: status %d: %s", path, r.status, r.body)
		}
		req, err := http.NewRequest(http.MethodGet, srv.URL+path+"?organization=true", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.(string))
		r = do(t, req)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", path, r.status, r.body)
		}
		if !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, r.header)
		}
		req, _ = http.NewRequest(http.MethodGet, srv.URL+path+"?meetingID=x", nil)
		req.Header.Set("Authorization", "Bearer "+tok.(string))
		r = do(t, req)
		var body struct{ Error string }
		if r.status != http.StatusBadRequest || json.Unmarshal(r.body, &body) != nil || !strings.HasPrefix(body.Error, "meetingID: ") {
			t.Errorf("%s?meetingID=x: status %d: %s", path, r.status, r.body)
		}
	}
}

func TestNetworkExportKeepsTheRequestDeadline(t *testing.T) {
	cfg := defaults(t)
	cfg.RequestTimeout = time.Nanosecond
	srv, _ := serve(t, cfg)
	tok, _ := tokens.Load(srv.URL)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/export/network.json?organization=true", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.(string))
	if r := do(t, req); r.status != http.StatusServiceUnavailable {
		t.Errorf("past the deadline: status %d: %s", r.status, r.body)
	}
}
