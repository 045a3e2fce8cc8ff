// Package export serves the attendee network of a scope as a download, for
// Gephi, yEd, Cytoscape or graphology: GraphML at /export/network.graphml and
// graphology's JSON serialization at /export/network.json.
//
// Unlike the GraphQL network query, an export is not bounded by the
// server's edge limit: it is the whole scope, written as it is encoded.
// The handler expects a viewer in the request context (auth.Middleware):
// the ent privacy policies then keep the answer to the viewer's
// organization and what its role may see.
//
// Query parameters:
//
//	meetingID=…           the participants of a meeting
//	communityIDs=1,2      the members of communities (or communityID=1&communityID=2)
//	objectiveID=…         the attendees of an objective's meetings and its target communities' members
//	seriesID=…            the participants of a series' occurrences
//	organization=true     everybody
//	asOf=<RFC 3339>       rebuild the network from the encounters up to then (default: now)
//	minStrength=<float>   keep the relationships at least this strong at asOf (default 0)
//	metrics=false         skip the metrics (degree, betweenness, …; default true)
//
// Exactly one scope parameter is required. A bad parameter is a 400 whose
// JSON body is {"error": "<param>: <why>"}; a meeting, series, objective or
// community the viewer cannot see is a 404 of the same shape.
package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/ent/series"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/network/analysis"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// Content types of the two formats.
const (
	GraphMLContentType    = "application/graphml+xml; charset=utf-8"
	GraphologyContentType = "application/json"
)

// MaxEdges is the bound passed to network.Load: in effect none.
const MaxEdges = 1 << 30

// Paths served by Handler.
const (
	GraphMLPath    = "/export/network.graphml"
	GraphologyPath = "/export/network.json"
)

// Handler serves GET /export/network.graphml and GET /export/network.json
// (HEAD too) to the viewer in the request context. clock gives the current
// time.
func Handler(c *ent.Client, clock func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var graphml bool
		switch r.URL.Path {
		case GraphMLPath:
			graphml = true
		case GraphologyPath:
		default:
			writeError(w, http.StatusNotFound, "path: no export here; use "+GraphMLPath+" or "+GraphologyPath)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "method: "+r.Method+" is not allowed; use GET")
			return
		}
		ctx := r.Context()
		if viewer.FromContext(ctx) == nil {
			// Mounted without auth.Middleware: privacy would refuse everything.
			writeError(w, http.StatusUnauthorized, "authorization: send an API token as `Authorization: Bearer <token>`")
			return
		}
		now := clock()
		req, perr := parse(r.URL.Query(), now)
		if perr != nil {
			writeError(w, http.StatusBadRequest, perr.Error())
			return
		}
		name, status, err := describe(ctx, c, req.scope)
		if err != nil {
			fail(w, r, status, err)
			return
		}
		n, err := network.Load(ctx, c, req.scope, network.Options{
			AsOf: req.asOf, MinStrength: req.minStrength, MaxEdges: MaxEdges, Now: now,
		})
		if err != nil {
			fail(w, r, http.StatusInternalServerError, err)
			return
		}
		var metrics map[int]analysis.NodeMetrics
		if req.metrics {
			// The metrics of a large scope take seconds (of the whole
			// organization: computed once per cached graph, then kept). The
			// answer waits for them until the request's deadline at most,
			// then refuses, naming metrics=false; the computation goes on
			// for the cached graph, so that a later export finds it done.
			done := make(chan map[int]analysis.NodeMetrics, 1)
			go func() { done <- n.NodeMetrics() }()
			select {
			case metrics = <-done:
			case <-ctx.Done():
				failMetrics(w, r)
				return
			}
		}
		if err := ctx.Err(); err != nil {
			fail(w, r, http.StatusInternalServerError, err)
			return
		}
		h := w.Header()
		file := "network.json"
		if graphml {
			file = "network.graphml"
			h.Set("Content-Type", GraphMLContentType)
		} else {
			h.Set("Content-Type", GraphologyContentType)
		}
		h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		if graphml {
			err = WriteGraphML(w, n, metrics)
		} else {
			err = WriteGraphology(w, n, metrics, map[string]any{"name": name, "asOf": n.At.UTC().Format(time.RFC3339)})
		}
		if err != nil {
			// The status is sent: all that is left is to cut the response
			// short, so that the client sees a broken download rather than a
			// complete-looking truncated one.
			slog.WarnContext(ctx, "writing a network export", "path", r.URL.Path, "error", err)
			panic(http.ErrAbortHandler)
		}
	})
}

// request is a parsed export request.
type request struct {
	scope       network.Scope
	asOf        *time.Time
	minStrength float64
	metrics     bool
}

// paramError is a bad query parameter.
type paramError struct{ param, why string }

func (e *paramError) Error() string { return e.param + ": " + e.why }

func bad(param, format string, args ...any) *paramError {
	return &paramError{param: param, why: fmt.Sprintf(format, args...)}
}

// scopeParams are the scope parameters, in the order the errors name them.
var scopeParams = []string{"meetingID", "communityIDs", "communityID", "objectiveID", "seriesID", "organization"}

const oneScope = "give exactly one of meetingID, communityIDs (or communityID), objectiveID, seriesID and organization=true"

var known = map[string]bool{
	"meetingID": true, "communityIDs": true, "communityID": true, "objectiveID": true, "seriesID": true,
	"organization": true, "asOf": true, "minStrength": true, "metrics": true,
}

// parse reads the query parameters of an export.
func parse(q url.Values, now time.Time) (*request, *paramError) {
	for k := range q {
		if !known[k] {
			return nil, bad(k, "unknown parameter (known: meetingID, communityIDs, communityID, objectiveID, seriesID, organization, asOf, minStrength, metrics)")
		}
	}
	req := &request{metrics: true}
	var given []string // scope parameters given, communityIDs and communityID counting once
	for _, p := range scopeParams {
		vals, ok := q[p]
		if !ok {
			continue
		}
		switch p {
		case "meetingID", "objectiveID", "seriesID":
			v, err := single(q, p)
			if err != nil {
				return nil, err
			}
			id, err := parseID(p, v)
			if err != nil {
				return nil, err
			}
			switch p {
			case "meetingID":
				req.scope.MeetingID = &id
			case "objectiveID":
				req.scope.ObjectiveID = &id
			default:
				req.scope.SeriesID = &id
			}
			given = append(given, p)
		case "communityIDs", "communityID":
			for _, v := range vals {
				for _, s := range strings.Split(v, ",") {
					if s = strings.TrimSpace(s); s == "" {
						continue // communityIDs=1,,2 or a trailing comma
					}
					id, err := parseID(p, s)
					if err != nil {
						return nil, err
					}
					req.scope.CommunityIDs = append(req.scope.CommunityIDs, id)
				}
			}
			if len(req.scope.CommunityIDs) == 0 {
				return nil, bad(p, "list at least one community ID")
			}
			if !slices.Contains(given, "communityIDs") {
				given = append(given, "communityIDs")
			}
		case "organization":
			v, err := single(q, p)
			if err != nil {
				return nil, err
			}
			b, perr := strconv.ParseBool(v)
			if perr != nil {
				return nil, bad(p, "%q is not true or false", v)
			}
			if b {
				req.scope.Organization = true
				given = append(given, p)
			}
		}
	}
	switch {
	case len(given) == 0:
		return nil, bad("scope", "%s", oneScope)
	case len(given) > 1:
		return nil, bad(given[1], "%s, not both %s and %s", oneScope, given[0], given[1])
	}
	if _, ok := q["asOf"]; ok {
		v, err := single(q, "asOf")
		if err != nil {
			return nil, err
		}
		t, perr := time.Parse(time.RFC3339, v)
		if perr != nil {
			return nil, bad("asOf", "%q is not an RFC 3339 time such as 2030-03-05T18:00:00Z", v)
		}
		if t.After(now) {
			return nil, bad("asOf", "is in the future: the network of a later day is not known yet")
		}
		req.asOf = &t
	}
	if _, ok := q["minStrength"]; ok {
		v, err := single(q, "minStrength")
		if err != nil {
			return nil, err
		}
		f, perr := strconv.ParseFloat(v, 64)
		if perr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad("minStrength", "%q is not a number", v)
		}
		if f < 0 {
			return nil, bad("minStrength", "must be 0 or more")
		}
		req.minStrength = f
	}
	if _, ok := q["metrics"]; ok {
		v, err := single(q, "metrics")
		if err != nil {
			return nil, err
		}
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			return nil, bad("metrics", "%q is not true or false", v)
		}
		req.metrics = b
	}
	return req, nil
}

// single returns the only value of parameter p.
func single(q url.Values, p string) (string, *paramError) {
	if vals := q[p]; len(vals) != 1 {
		return "", bad(p, "give it once, not %d times", len(vals))
	}
	return strings.TrimSpace(q.Get(p)), nil
}

// parseID reads an ID (GraphQL IDs are the integer IDs as strings).
func parseID(p, v string) (int, *paramError) {
	id, err := strconv.Atoi(v)
	if err != nil || id <= 0 {
		return 0, bad(p, "%q is not an ID", v)
	}
	return id, nil
}

// describe names the scope for the export's attributes, and checks that
// the meeting, series, objective or communities it names exist for the
// viewer: a validation.Error NOT_FOUND otherwise.
func describe(ctx context.Context, c *ent.Client, s network.Scope) (string, int, error) {
	switch {
	case s.MeetingID != nil:
		m, err := c.Meeting.Query().Where(meeting.ID(*s.MeetingID)).Only(ctx)
		if ent.IsNotFound(err) {
			return "", http.StatusNotFound, validation.NotFound("meetingID", "no meeting with ID %d", *s.MeetingID)
		}
		if err != nil {
			return "", http.StatusInternalServerError, err
		}
		return "Meeting: " + m.Title, 0, nil
	case s.ObjectiveID != nil:
		o, err := c.Objective.Query().Where(objective.ID(*s.ObjectiveID)).Only(ctx)
		if ent.IsNotFound(err) {
			return "", http.StatusNotFound, validation.NotFound("objectiveID", "no objective with ID %d", *s.ObjectiveID)
		}
		if err != nil {
			return "", http.StatusInternalServerError, err
		}
		return "Objective: " + o.Title, 0, nil
	case s.SeriesID != nil:
		se, err := c.Series.Query().Where(series.ID(*s.SeriesID)).Only(ctx)
		if ent.IsNotFound(err) {
			return "", http.StatusNotFound, validation.NotFound("seriesID", "no series with ID %d", *s.SeriesID)
		}
		if err != nil {
			return "", http.StatusInternalServerError, err
		}
		return "Series: " + se.Title, 0, nil
	case len(s.CommunityIDs) > 0:
		cs, err := c.Community.Query().Where(community.IDIn(s.CommunityIDs...)).All(ctx)
		if err != nil {
			return "", http.StatusInternalServerError, err
		}
		byID := make(map[int]string, len(cs))
		for _, cm := range cs {
			byID[cm.ID] = cm.Name
		}
		names := make([]string, 0, len(s.CommunityIDs))
		seen := map[int]bool{}
		for _, id := range s.CommunityIDs {
			name, ok := byID[id]
			if !ok {
				return "", http.StatusNotFound, validation.NotFound("communityIDs", "no community with ID %d", id)
			}
			if !seen[id] {
				seen[id] = true
				names = append(names, name)
			}
		}
		return "Communities: " + strings.Join(names, "; "), 0, nil
	}
	if v := viewer.FromContext(ctx); v != nil {
		if o, err := c.Organization.Get(ctx, v.OrganizationID); err == nil {
			return "Organization: " + o.Name, 0, nil
		}
	}
	return "Organization", 0, nil
}

// failMetrics answers an export whose metrics were not ready by the
// request's deadline.
func failMetrics(w http.ResponseWriter, r *http.Request) {
	if errors.Is(r.Context().Err(), context.DeadlineExceeded) {
		slog.InfoContext(r.Context(), "network export: metrics past the deadline")
		writeError(w, http.StatusServiceUnavailable, "metrics: the metrics of this network took longer than the request timeout; "+
			"download it with metrics=false, narrow the scope or raise minStrength, or try again later (the organization's metrics are kept once computed)")
		return
	}
	fail(w, r, http.StatusServiceUnavailable, r.Context().Err())
}

// fail answers an error that arose before anything was written.
func fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	var tooLarge *network.TooLargeError
	if ve, ok := validation.As(err); ok {
		field := map[string]string{"as_of": "asOf", "min_strength": "minStrength"}[ve.Field]
		if field == "" {
			field = ve.Field
		}
		if ve.Code == validation.CodeNotFound {
			writeError(w, http.StatusNotFound, field+": "+ve.Message)
		} else {
			writeError(w, http.StatusBadRequest, field+": "+ve.Message)
		}
		return
	}
	if ctxErr := r.Context().Err(); ctxErr != nil {
		msg := "request: the client left before the export was ready"
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			msg = "request: the export took longer than the request timeout; narrow the scope, raise minStrength or ask for metrics=false"
		}
		slog.InfoContext(r.Context(), "network export ended early", "error", ctxErr)
		writeError(w, http.StatusServiceUnavailable, msg)
		return
	}
	if errors.Is(err, privacy.Deny) {
		writeError(w, http.StatusForbidden, "authorization: the token's role may not read this network")
		return
	}
	if errors.As(err, &tooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, "scope: "+tooLarge.Error())
		return
	}
	slog.ErrorContext(r.Context(), "loading a network export", "path", r.URL.Path, "error", err)
	if status < 500 {
		status = http.StatusInternalServerError
	}
	writeError(w, status, "internal server error")
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
