// Command baseline is the hand-written server of the load benchmark
// (bench/load): database/sql (lib/pq) and encoding/json answering the
// benchmark's operations (P1, P1b, the README's Meetings query and the
// participationRespond mutation) with the same JSON as Rencontre's GraphQL
// `data`, for one organization of a PostgreSQL database. It is the reference
// of the "Rencontre / hand-written" ratio, not a GraphQL server: it reads the
// operationName of a GraphQL-over-HTTP POST and answers that operation.
//
//	baseline --addr 127.0.0.1:8090 --database-url postgres://… --org bench --token rct_…
//
// It listens on loopback only and checks the bearer token in memory (a
// constant-time comparison, no statement).
package main

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/lib/pq"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8090", "loopback address to listen on")
	dbURL := flag.String("database-url", "", "PostgreSQL database")
	org := flag.String("org", "bench", "slug of the organization")
	token := flag.String("token", "", "bearer token the clients send (empty: none asked)")
	maxConns := flag.Int("db-max-conns", 20, "most open (and idle) database connections")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--addr %s: loopback addresses only", *addr)
	}
	db, err := sql.Open("postgres", *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(*maxConns)
	db.SetMaxIdleConns(*maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := &server{db: db, token: []byte(*token), zones: map[string]*time.Location{}}
	if err := db.QueryRowContext(ctx, `SELECT id FROM organizations WHERE slug = $1`, *org).Scan(&s.orgID); err != nil {
		return fmt.Errorf("organization %q: %w", *org, err)
	}
	for _, st := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&s.meeting, `SELECT id, title, starts_at, time_zone FROM meetings WHERE id = $1 AND organization_id = $2`},
		{&s.objectives, `SELECT o.id, o.title, o.category FROM meeting_objectives mo JOIN objectives o ON o.id = mo.objective_id
			WHERE mo.meeting_id = $1 ORDER BY o.id`},
		{&s.participations, `SELECT p.id, p.status, p.role, pe.id, pe.name FROM participations p JOIN persons pe ON pe.id = p.person_id
			WHERE p.meeting_id = $1 ORDER BY p.id LIMIT $2`},
		{&s.communities, `SELECT cm.person_id, c.id, c.name FROM community_members cm JOIN communities c ON c.id = cm.community_id
			WHERE cm.person_id = ANY($1) ORDER BY cm.person_id, c.id`},
		{&s.meetings, `SELECT m.id, m.title, m.starts_at, m.time_zone, (SELECT count(*) FROM participations p WHERE p.meeting_id = m.id)
			FROM meetings m WHERE m.organization_id = $1 ORDER BY m.starts_at, m.id LIMIT $2`},
		// The README's Meetings query: the page of meetings with both counts,
		// their objectives, the first participations of each with their
		// people, and those people's communities.
		{&s.meetingPage, `SELECT m.id, m.title, m.format, m.status, m.starts_at, m.time_zone,
			(SELECT count(*) FROM participations p WHERE p.meeting_id = m.id),
			(SELECT count(*) FROM meetings a WHERE a.organization_id = $1)
			FROM meetings m WHERE m.organization_id = $1 ORDER BY m.starts_at, m.id LIMIT $2`},
		{&s.pageObjectives, `SELECT mo.meeting_id, o.title, o.category, o.purpose FROM meeting_objectives mo JOIN objectives o ON o.id = mo.objective_id
			WHERE mo.meeting_id = ANY($1) ORDER BY mo.meeting_id, o.id`},
		// The page size is a constant: with LIMIT $2, the generic plan
		// PostgreSQL uses after 5 executions walks participations in ID
		// order for each meeting (8 ms instead of 0.7 ms here).
		{&s.pageParticipations, `SELECT p.meeting_id, p.role, p.status, p.checked_in_at, pe.id, pe.name
			FROM unnest($1::bigint[]) AS mt(id)
			CROSS JOIN LATERAL (SELECT p.id, p.meeting_id, p.role, p.status, p.checked_in_at, p.person_id FROM participations p
				WHERE p.meeting_id = mt.id ORDER BY p.id LIMIT ` + strconv.Itoa(meetingsParticipations) + `) p
			JOIN persons pe ON pe.id = p.person_id ORDER BY p.meeting_id, p.id`},
		{&s.pageCommunities, `SELECT cm.person_id, c.name, c.kind FROM community_members cm JOIN communities c ON c.id = cm.community_id
			WHERE cm.person_id = ANY($1) ORDER BY cm.person_id, c.id`},
		// participationRespond: lock the participation and its meeting,
		// then write the answer.
		{&s.respondLock, `SELECT p.status, p.checked_in_at IS NOT NULL, m.id, m.status, m.capacity IS NOT NULL
			FROM participations p JOIN meetings m ON m.id = p.meeting_id
			WHERE p.id = $1 AND p.organization_id = $2 FOR UPDATE OF p, m`},
		{&s.respondWrite, respondWrite},
	} {
		if *st.dst, err = db.PrepareContext(ctx, st.q); err != nil {
			return err
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /graphql", s.graphql)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) })
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-stop:
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		return srv.Shutdown(sctx)
	}
}

type server struct {
	db                                                         *sql.DB
	orgID                                                      int64
	token                                                      []byte
	meeting, objectives, participations, communities, meetings *sql.Stmt
	meetingPage, pageObjectives, pageParticipations            *sql.Stmt
	pageCommunities, respondLock, respondWrite                 *sql.Stmt

	mu    sync.Mutex
	zones map[string]*time.Location
}

type request struct {
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
}

func (s *server) graphql(w http.ResponseWriter, r *http.Request) {
	if len(s.token) > 0 {
		got := []byte(r.Header.Get("Authorization"))
		want := append([]byte("Bearer "), s.token...)
		if subtle.ConstantTimeCompare(got, want) != 1 {
			http.Error(w, `{"errors":[{"message":"unauthenticated"}]}`, http.StatusUnauthorized)
			return
		}
	}
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, `{"errors":[{"message":"invalid JSON"}]}`, http.StatusBadRequest)
		return
	}
	var data any
	var err error
	switch req.OperationName {
	case "P1":
		var v struct {
			ID string `json:"id"`
		}
		if err = json.Unmarshal(req.Variables, &v); err == nil {
			data, err = s.p1(r.Context(), v.ID, 50)
		}
	case "P1b":
		data, err = s.p1b(r.Context(), 20)
	case "Meetings":
		data, err = s.meetingsPage(r.Context(), 10)
	case "Respond":
		var v struct {
			ID     string `json:"id"`
			Answer string `json:"answer"`
		}
		if err = json.Unmarshal(req.Variables, &v); err == nil {
			data, err = s.respond(r.Context(), v.ID, v.Answer)
		}
	default:
		err = fmt.Errorf("unknown operation %q: only P1, P1b, Meetings and Respond", req.OperationName)
	}
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"message": err.Error()}}})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// The answer of P1, in the shape of the GraphQL data.
type (
	p1Data struct {
		Node *meetingP1 `json:"node"`
	}
	meetingP1 struct {
		ID             string                 `json:"id"`
		Title          string                 `json:"title"`
		StartsAt       string                 `json:"startsAt"`
		Objectives     edges[objectiveP1]     `json:"objectives"`
		Participations edges[participationP1] `json:"participations"`
	}
	objectiveP1 struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Category string `json:"category"`
	}
	participationP1 struct {
		ID     string   `json:"id"`
		Status string   `json:"status"`
		Role   string   `json:"role"`
		Person personP1 `json:"person"`
	}
	personP1 struct {
		ID          string           `json:"id"`
		Name        string           `json:"name"`
		Communities edges[community] `json:"communities"`
	}
	community struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	edges[T any] struct {
		Edges []edge[T] `json:"edges"`
	}
	edge[T any] struct {
		Node T `json:"node"`
	}
)

func id(n int64) string { return strconv.FormatInt(n, 10) }

// timeString writes t in the meeting's time zone, as Rencontre does.
func (s *server) timeString(t time.Time, zone string) string {
	s.mu.Lock()
	loc, ok := s.zones[zone]
	if !ok {
		var err error
		if loc, err = time.LoadLocation(zone); err != nil {
			loc = time.UTC
		}
		s.zones[zone] = loc
	}
	s.mu.Unlock()
	return t.In(loc).Format(time.RFC3339Nano)
}

func (s *server) p1(ctx context.Context, meetingID string, first int) (*p1Data, error) {
	mid, err := strconv.ParseInt(meetingID, 10, 64)
	if err != nil {
		return &p1Data{}, nil
	}
	var m meetingP1
	var mID int64
	var starts time.Time
	var zone string
	if err := s.meeting.QueryRowContext(ctx, mid, s.orgID).Scan(&mID, &m.Title, &starts, &zone); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return &p1Data{}, nil
		}
		return nil, err
	}
	m.ID, m.StartsAt = id(mID), s.timeString(starts, zone)
	m.Objectives.Edges = []edge[objectiveP1]{}
	rows, err := s.objectives.QueryContext(ctx, mid)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var o objectiveP1
		var oid int64
		if err := rows.Scan(&oid, &o.Title, &o.Category); err != nil {
			rows.Close()
			return nil, err
		}
		o.ID = id(oid)
		m.Objectives.Edges = append(m.Objectives.Edges, edge[objectiveP1]{o})
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = s.participations.QueryContext(ctx, mid, first)
	if err != nil {
		return nil, err
	}
	m.Participations.Edges = make([]edge[participationP1], 0, first)
	var people []int64
	index := map[int64]int{}
	for rows.Next() {
		var p participationP1
		var pid, personID int64
		if err := rows.Scan(&pid, &p.Status, &p.Role, &personID, &p.Person.Name); err != nil {
			rows.Close()
			return nil, err
		}
		p.ID, p.Person.ID = id(pid), id(personID)
		p.Person.Communities.Edges = []edge[community]{}
		index[personID] = len(m.Participations.Edges)
		people = append(people, personID)
		m.Participations.Edges = append(m.Participations.Edges, edge[participationP1]{p})
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = s.communities.QueryContext(ctx, pq.Array(people))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var personID, cid int64
		var c community
		if err := rows.Scan(&personID, &cid, &c.Name); err != nil {
			rows.Close()
			return nil, err
		}
		c.ID = id(cid)
		p := &m.Participations.Edges[index[personID]].Node.Person
		p.Communities.Edges = append(p.Communities.Edges, edge[community]{c})
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return &p1Data{Node: &m}, nil
}

type (
	p1bData struct {
		Meetings edges[meetingP1b] `json:"meetings"`
	}
	meetingP1b struct {
		ID             string `json:"id"`
		Title          string `json:"title"`
		StartsAt       string `json:"startsAt"`
		Participations struct {
			TotalCount int `json:"totalCount"`
		} `json:"participations"`
	}
)

func (s *server) p1b(ctx context.Context, first int) (*p1bData, error) {
	rows, err := s.meetings.QueryContext(ctx, s.orgID, first)
	if err != nil {
		return nil, err
	}
	d := &p1bData{Meetings: edges[meetingP1b]{Edges: make([]edge[meetingP1b], 0, first)}}
	for rows.Next() {
		var m meetingP1b
		var mid int64
		var starts time.Time
		var zone string
		if err := rows.Scan(&mid, &m.Title, &starts, &zone, &m.Participations.TotalCount); err != nil {
			rows.Close()
			return nil, err
		}
		m.ID, m.StartsAt = id(mid), s.timeString(starts, zone)
		d.Meetings.Edges = append(d.Meetings.Edges, edge[meetingP1b]{m})
	}
	return d, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// The answer of the README's Meetings query.
type (
	meetingsData struct {
		Meetings meetingPage `json:"meetings"`
	}
	meetingPage struct {
		TotalCount int                 `json:"totalCount"`
		Edges      []edge[meetingItem] `json:"edges"`
	}
	meetingItem struct {
		ID             string             `json:"id"`
		Title          string             `json:"title"`
		Format         string             `json:"format"`
		Status         string             `json:"status"`
		StartsAt       string             `json:"startsAt"`
		TimeZone       string             `json:"timeZone"`
		Objectives     edges[objectiveM]  `json:"objectives"`
		Participations participationsPage `json:"participations"`
	}
	objectiveM struct {
		Title    string `json:"title"`
		Category string `json:"category"`
		Purpose  string `json:"purpose"`
	}
	participationsPage struct {
		TotalCount int                    `json:"totalCount"`
		Edges      []edge[participationM] `json:"edges"`
	}
	participationM struct {
		Role        string  `json:"role"`
		Status      string  `json:"status"`
		CheckedInAt *string `json:"checkedInAt"`
		Person      personM `json:"person"`
	}
	personM struct {
		Name        string          `json:"name"`
		Communities *communitiesTab `json:"communities"`
	}
	communitiesTab struct {
		TotalCount int                `json:"totalCount"`
		Edges      []edge[communityM] `json:"edges"`
	}
	communityM struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
)

// meetingsParticipations is the README query's participations(first: 5).
const meetingsParticipations = 5

// meetingsPage answers the README's Meetings query in 4 statements: the
// first meetings by start (then ID) with both counts, their objectives, the
// first participations of each (by ID) with their people, and the
// communities of those people. Instants are written as Rencontre writes
// them: startsAt in the meeting's time zone, checkedInAt as read.
func (s *server) meetingsPage(ctx context.Context, first int) (*meetingsData, error) {
	rows, err := s.meetingPage.QueryContext(ctx, s.orgID, first)
	if err != nil {
		return nil, err
	}
	d := &meetingsData{Meetings: meetingPage{Edges: make([]edge[meetingItem], 0, first)}}
	var ids []int64
	index := map[int64]int{}
	for rows.Next() {
		var m meetingItem
		var mid int64
		var starts time.Time
		if err := rows.Scan(&mid, &m.Title, &m.Format, &m.Status, &starts, &m.TimeZone, &m.Participations.TotalCount, &d.Meetings.TotalCount); err != nil {
			rows.Close()
			return nil, err
		}
		m.ID, m.StartsAt = id(mid), s.timeString(starts, m.TimeZone)
		m.Objectives.Edges = []edge[objectiveM]{}
		m.Participations.Edges = make([]edge[participationM], 0, meetingsParticipations)
		index[mid] = len(d.Meetings.Edges)
		ids = append(ids, mid)
		d.Meetings.Edges = append(d.Meetings.Edges, edge[meetingItem]{m})
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return d, nil
	}
	if rows, err = s.pageObjectives.QueryContext(ctx, pq.Array(ids)); err != nil {
		return nil, err
	}
	for rows.Next() {
		var mid int64
		var o objectiveM
		if err := rows.Scan(&mid, &o.Title, &o.Category, &o.Purpose); err != nil {
			rows.Close()
			return nil, err
		}
		m := &d.Meetings.Edges[index[mid]].Node
		m.Objectives.Edges = append(m.Objectives.Edges, edge[objectiveM]{o})
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if rows, err = s.pageParticipations.QueryContext(ctx, pq.Array(ids)); err != nil {
		return nil, err
	}
	// The people's communities, shared by their participations (a person
	// may take part in several of the meetings).
	tabs := map[int64]*communitiesTab{}
	var people []int64
	for rows.Next() {
		var mid, personID int64
		var p participationM
		var checkedIn sql.NullTime
		if err := rows.Scan(&mid, &p.Role, &p.Status, &checkedIn, &personID, &p.Person.Name); err != nil {
			rows.Close()
			return nil, err
		}
		if checkedIn.Valid {
			v := checkedIn.Time.Format(time.RFC3339Nano)
			p.CheckedInAt = &v
		}
		tab, ok := tabs[personID]
		if !ok {
			tab = &communitiesTab{Edges: []edge[communityM]{}}
			tabs[personID] = tab
			people = append(people, personID)
		}
		p.Person.Communities = tab
		m := &d.Meetings.Edges[index[mid]].Node
		m.Participations.Edges = append(m.Participations.Edges, edge[participationM]{p})
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if len(people) == 0 {
		return d, nil
	}
	if rows, err = s.pageCommunities.QueryContext(ctx, pq.Array(people)); err != nil {
		return nil, err
	}
	for rows.Next() {
		var personID int64
		var c communityM
		if err := rows.Scan(&personID, &c.Name, &c.Kind); err != nil {
			rows.Close()
			return nil, err
		}
		tab := tabs[personID]
		tab.Edges = append(tab.Edges, edge[communityM]{c})
		tab.TotalCount++
	}
	return d, closeRows(rows)
}

// respondWrite records an answer as Rencontre does for a meeting without a
// capacity: the status, no place on the waiting list, acceptedAt kept for
// someone already accepted, set to the answer's time for someone who now
// accepts and cleared otherwise, respondedAt and updatedAt the answer's time.
// (In SET, status is the value before the update.)
const respondWrite = `UPDATE participations SET status = $2::varchar,
	accepted_at = CASE WHEN $2::varchar <> 'ACCEPTED' THEN NULL WHEN status = 'ACCEPTED' THEN accepted_at ELSE $3 END,
	waitlist_position = NULL, responded_at = $3::timestamptz, updated_at = $3::timestamptz
	WHERE id = $1`

type (
	respondData struct {
		ParticipationRespond respondPayload `json:"participationRespond"`
	}
	respondPayload struct {
		Participation *participationRef `json:"participation"`
		Waitlisted    bool              `json:"waitlisted"`
		UserErrors    []userError       `json:"userErrors"`
	}
	participationRef struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	userError struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
)

// respond is participationRespond for meetings without a capacity, in one
// transaction: lock the participation and its meeting (one SELECT … FOR
// UPDATE), check the answer is allowed (Rencontre's rules: not for a
// cancelled meeting or participation; only ACCEPTED once checked in), write
// it (one UPDATE). A meeting with a capacity, whose waiting list the
// baseline does not keep, is an error. Rencontre also publishes an
// attendance event after the commit (a NOTIFY); the baseline does not.
func (s *server) respond(ctx context.Context, participationID, answer string) (*respondData, error) {
	fail := func(code, format string, args ...any) (*respondData, error) {
		return &respondData{respondPayload{UserErrors: []userError{{code, fmt.Sprintf(format, args...)}}}}, nil
	}
	switch answer {
	case "ACCEPTED", "TENTATIVE", "DECLINED":
	default:
		return fail("INVALID", "answer: must be ACCEPTED, TENTATIVE or DECLINED, got %s", answer)
	}
	pid, err := strconv.ParseInt(participationID, 10, 64)
	if err != nil {
		return fail("NOT_FOUND", "participation_id: no participation with ID %s", participationID)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	var status, meetingStatus string
	var checkedIn, capacity bool
	var mid int64
	err = tx.StmtContext(ctx, s.respondLock).QueryRowContext(ctx, pid, s.orgID).Scan(&status, &checkedIn, &mid, &meetingStatus, &capacity)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fail("NOT_FOUND", "participation_id: no participation with ID %d", pid)
	case err != nil:
		return nil, err
	case capacity:
		return nil, fmt.Errorf("meeting %d has a capacity: the baseline answers for meetings without one only", mid)
	case meetingStatus == "CANCELLED":
		return fail("CONFLICT", "participation_id: meeting %d is cancelled: cannot answer the invitation", mid)
	case status == "CANCELLED":
		return fail("CONFLICT", "participation_id: participation %d was cancelled: cannot answer it", pid)
	case answer != "ACCEPTED" && checkedIn:
		return fail("CONFLICT", "answer: participation %d is checked in: cannot answer %s", pid, answer)
	}
	if _, err := tx.StmtContext(ctx, s.respondWrite).ExecContext(ctx, pid, answer, time.Now()); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &respondData{respondPayload{Participation: &participationRef{id(pid), answer}, UserErrors: []userError{}}}, nil
}
