package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/feeds"
	"github.com/rencontre/rencontre/internal/metrics"
)

// NewLogHandler returns the server's slog handler on f: JSON lines when f is
// not a terminal (a container, a service manager, a file: what log collectors
// read), text on a terminal. Records logged with a request's context carry its
// request_id.
func NewLogHandler(f *os.File, level slog.Leveler) slog.Handler {
	opts := &slog.HandlerOptions{Level: level}
	if isTerminal(f) {
		return WithRequestID(slog.NewTextHandler(f, opts))
	}
	return WithRequestID(slog.NewJSONHandler(f, opts))
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// WithRequestID wraps h so that every record logged with a request's context
// (slog.ErrorContext(ctx, …)) carries the request's id, as its access log
// line does: an error can be traced to its request.
func WithRequestID(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		has := false
		r.Attrs(func(a slog.Attr) bool {
			has = a.Key == "request_id"
			return !has
		})
		if !has {
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

type requestIDKey struct{}

// RequestID returns the id of the request whose context is ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestIDHeader carries the request id both ways: a proxy's id is kept, so
// that its logs and ours name a request alike, and the id goes back to the
// client, who can quote it.
const requestIDHeader = "X-Request-Id"

// saneRequestID reports an incoming id worth keeping: short, and of
// characters that need no escaping anywhere (UUIDs, hex, base64 ids). Anything
// else is replaced, so that a client cannot write into the logs.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-_.:+/=", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// AccessLog writes one line per request to logger: request id, method, path
// (without the query string, which holds a GET request's query and
// variables, and with a calendar feed's secret cut to its prefix), status,
// duration, bytes written, and for GraphQL requests the operation's name and
// type and the code of each error. Nothing a client sends
// is logged beyond the method and path: no header, no query, no variables.
//
// Levels: DEBUG for health checks, which probes call every few seconds; ERROR
// for server faults (INTERNAL_SERVER_ERROR, or a 5xx that is neither a timeout
// nor a cancellation); WARN for requests stopped by their deadline; INFO for
// the rest, client errors included.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return AccessLogWithMetrics(logger, nil, next)
}

// AccessLogWithMetrics is AccessLog that also counts each request in m
// (nil: none), with what its log line says.
func AccessLogWithMetrics(logger *slog.Logger, m *metrics.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(requestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(requestIDHeader, id)
		rec := &graph.AccessRecord{}
		ctx := graph.WithAccessRecord(context.WithValue(r.Context(), requestIDKey{}, id), rec)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			if p != nil && sw.status == 0 {
				sw.status = http.StatusInternalServerError // what net/http's recovery amounts to
			}
			logAccess(ctx, logger, m, r, sw, rec, time.Since(start))
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

func logAccess(ctx context.Context, logger *slog.Logger, m *metrics.Metrics, r *http.Request, sw *statusWriter, rec *graph.AccessRecord, d time.Duration) {
	status := sw.status
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	codes := rec.ErrorCodes()
	if len(codes) == 0 {
		codes = sw.errorCodes()
	}
	attrs := []slog.Attr{
		slog.String("request_id", RequestID(ctx)),
		slog.String("method", r.Method),
		slog.String("path", feeds.RedactPath(r.URL.Path)), // a feed's path holds its secret
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.Int64("bytes", sw.bytes),
	}
	name, typ := rec.Operation()
	if name != "" {
		attrs = append(attrs, slog.String("operation", name))
	}
	if typ != "" {
		attrs = append(attrs, slog.String("operation_type", typ))
	}
	if len(codes) > 0 {
		attrs = append(attrs, slog.Any("error_codes", codes))
	}
	logger.LogAttrs(ctx, accessLevel(r.URL.Path, status, codes), "request", attrs...)
	m.Observe(metrics.Request{Path: r.URL.Path, Status: status, Duration: d, Operation: name, OperationType: typ, ErrorCodes: codes})
}

func accessLevel(path string, status int, codes []string) slog.Level {
	switch {
	case path == "/healthz" || path == "/readyz":
		return slog.LevelDebug
	case slices.Contains(codes, "INTERNAL_SERVER_ERROR"):
		return slog.LevelError
	case slices.Contains(codes, "REQUEST_TIMEOUT"):
		return slog.LevelWarn
	case slices.Contains(codes, "REQUEST_CANCELLED"): // the client left, or the server is stopping
		return slog.LevelInfo
	case status >= 500:
		return slog.LevelError
	}
	return slog.LevelInfo
}

// statusWriter remembers the status and size of a response, and the start of
// a JSON error response, whose codes the access log reads when the handler
// recorded none (401 from authentication, 413, errors of other routes).
type statusWriter struct {
	http.ResponseWriter
	status   int
	bytes    int64
	captured *bytes.Buffer
}

// capturedErrorBytes bounds what is kept of an error response: error bodies
// are small, and only their codes are read.
const capturedErrorBytes = 16 << 10

// WriteHeader implements http.ResponseWriter.
func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 { // 1xx are interim
		w.status = status
		if ct, _, err := mime.ParseMediaType(w.Header().Get("Content-Type")); err == nil && status >= 400 &&
			(ct == "application/json" || ct == "application/graphql-response+json") {
			w.captured = new(bytes.Buffer)
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.captured != nil && w.captured.Len() < capturedErrorBytes {
		w.captured.Write(b[:min(len(b), capturedErrorBytes-w.captured.Len())])
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// errorCodes reads extensions.code of the errors of a captured error body.
func (w *statusWriter) errorCodes() []string {
	if w.captured == nil {
		return nil
	}
	var body struct {
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(w.captured.Bytes(), &body) != nil {
		return nil
	}
	codes := make([]string, 0, len(body.Errors))
	for _, e := range body.Errors {
		codes = append(codes, e.Extensions.Code)
	}
	return codes
}
