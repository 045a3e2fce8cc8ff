package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"time"
)

// The benchmark's operations, as sent to Rencontre (and, by operation name,
// to the hand-written baseline).
const (
	queryP1 = `query P1($id: ID!) { node(id: $id) { ... on Meeting { id title startsAt
  objectives { edges { node { id title category } } }
  participations(first: 50) { edges { node { id status role
    person { id name communities { edges { node { id name } } } } } } } } } }`

	queryP1b = `query P1b { meetings(first: 20, orderBy: [{field: STARTS_AT, direction: ASC}]) {
  edges { node { id title startsAt participations { totalCount } } } } }`

	mutationRespond = `mutation Respond($id: ID!, $answer: ParticipationAnswer!) {
  participationRespond(input: {participationID: $id, answer: $answer}) {
    participation { id status } waitlisted userErrors { code message } } }`

	// The README's first example, "The meetings with their objectives,
	// participants and their communities".
	queryMeetings = `query Meetings {
  meetings(first: 10, orderBy: [{field: STARTS_AT, direction: ASC}]) {
    totalCount
    edges {
      node {
        id title format status startsAt timeZone
        objectives { edges { node { title category purpose } } }
        participations(first: 5) {
          totalCount
          edges {
            node {
              role status checkedInAt
              person { name communities { totalCount edges { node { name kind } } } }
            }
          }
        }
      }
    }
  }
}`
)

// The same content from PostGraphile 5 (amber preset, default inflection):
// rowId is the primary key, relations are named by their foreign keys.
const (
	pglP1 = `query P1($id: BigInt!) { meetingByRowId(rowId: $id) { rowId title startsAt
  meetingObjectivesByMeetingId(orderBy: OBJECTIVE_ID_ASC) { nodes { objectiveByObjectiveId { rowId title category } } }
  participationsByMeetingId(first: 50, orderBy: ROW_ID_ASC) { nodes { rowId status role
    personByPersonId { rowId name communityMembersByPersonId(orderBy: COMMUNITY_ID_ASC) { nodes { communityByCommunityId { rowId name } } } } } } } }`

	pglP1b = `query P1b { allMeetings(first: 20, orderBy: [STARTS_AT_ASC, ROW_ID_ASC]) {
  nodes { rowId title startsAt participationsByMeetingId { totalCount } } } }`

	// The README's Meetings query. allMeetings counts every meeting of the
	// database, which holds one organization.
	pglMeetings = `query Meetings {
  allMeetings(first: 10, orderBy: [STARTS_AT_ASC, ROW_ID_ASC]) {
    totalCount
    nodes {
      rowId title format status startsAt timeZone
      meetingObjectivesByMeetingId(orderBy: OBJECTIVE_ID_ASC) { nodes { objectiveByObjectiveId { title category purpose } } }
      participationsByMeetingId(first: 5, orderBy: ROW_ID_ASC) {
        totalCount
        nodes {
          role status checkedInAt
          personByPersonId { name communityMembersByPersonId(orderBy: COMMUNITY_ID_ASC) {
            totalCount nodes { communityByCommunityId { name kind } } } }
        }
      }
    }
  }
}`

	// participationRespond as PostGraphile's generic update: the same
	// columns as Rencontre writes for a meeting without a capacity (see
	// pglRespondRequest), without its checks, lock of the meeting or event.
	pglRespond = `mutation Respond($id: BigInt!, $patch: ParticipationPatch!) {
  updateParticipationByRowId(input: {rowId: $id, participationPatch: $patch}) { participation { rowId status } } }`
)

func gqlBody(query, op string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "operationName": op, "variables": vars})
	if err != nil {
		panic(err)
	}
	return b
}

// rotating returns a request cycling over bodies.
func rotating(bodies [][]byte, ok func([]byte) bool) request {
	return request{body: func(i int64) []byte { return bodies[i%int64(len(bodies))] }, ok: anyRequest(ok)}
}

// respondRequest alternates ACCEPTED and TENTATIVE over the participations:
// request i answers participation i mod n, ACCEPTED on even passes and
// TENTATIVE on odd ones, so every answer is a change and stays valid.
func respondRequest(participations []string) request {
	n := int64(len(participations))
	bodies := make([][]byte, 2*n)
	for i, id := range participations {
		bodies[i] = respondBody(id, "ACCEPTED")
		bodies[int64(i)+n] = respondBody(id, "TENTATIVE")
	}
	return request{
		body: func(i int64) []byte { return bodies[i%(2*n)] },
		ok: func(_ int64, b []byte) bool {
			return noErrors(b) && bytes.Contains(b, []byte(`"userErrors":[]`))
		},
	}
}

// pglRespondRequest is respondRequest for PostGraphile: the same
// participations and answers, each request patching the status, respondedAt
// and updatedAt (the time it is sent), acceptedAt (that time for ACCEPTED,
// null otherwise: in the benchmark an ACCEPTED follows a TENTATIVE, or is the
// first answer) and waitlistPosition (null).
func pglRespondRequest(participations []string) request {
	n := int64(len(participations))
	return request{
		body: func(i int64) []byte {
			k := i % (2 * n)
			return pglRespondBody(participations[k%n], map[bool]string{true: "ACCEPTED", false: "TENTATIVE"}[k < n], time.Now())
		},
		ok: anyRequest(noErrors),
	}
}

func pglRespondBody(id, answer string, now time.Time) []byte {
	ts := now.UTC().Format(time.RFC3339Nano)
	var accepted any
	if answer == "ACCEPTED" {
		accepted = ts
	}
	return gqlBody(pglRespond, "Respond", map[string]any{"id": id, "patch": map[string]any{
		"status": answer, "respondedAt": ts, "updatedAt": ts, "acceptedAt": accepted, "waitlistPosition": nil}})
}

// respondBody is the body of Rencontre's (and the baseline's)
// participationRespond.
func respondBody(id, answer string) []byte {
	return gqlBody(mutationRespond, "Respond", map[string]any{"id": id, "answer": answer})
}

// mixed cycles over reqs: request i is request i/len(reqs) of reqs[i%len(reqs)].
func mixed(reqs ...request) request {
	n := int64(len(reqs))
	return request{
		body: func(i int64) []byte { return reqs[i%n].body(i / n) },
		ok:   func(i int64, b []byte) bool { return reqs[i%n].ok(i/n, b) },
	}
}

// dataOf decodes the data entry of a GraphQL answer, refusing errors.
func dataOf(body []byte) (any, error) {
	var r struct {
		Data   any             `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	if len(r.Errors) > 0 && string(r.Errors) != "null" {
		return nil, fmt.Errorf("errors: %s", truncate(r.Errors))
	}
	if r.Data == nil {
		return nil, fmt.Errorf("no data: %s", truncate(body))
	}
	return r.Data, nil
}

// canonical makes two answers of the same content comparable:
//   - the edges of the connections Rencontre answers in no promised order
//     when the query asks for none (a person's communities, a meeting's
//     objectives when several meetings are loaded at once) sorted by ID, or,
//     when the query asks for no ID, by the fields of unordered;
//   - with instants, every startsAt and checkedInAt as a UTC instant
//     (PostGraphile writes timestamps in UTC with six decimals, Rencontre
//     startsAt in the meeting's time zone and checkedInAt as read).
func canonical(v any, instants bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = canonical(e, instants)
			if (k == "startsAt" || k == "checkedInAt") && instants {
				if s, ok := e.(string); ok {
					if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
						out[k] = t.UTC().Format(time.RFC3339Nano)
					}
				}
			}
		}
		for k, fields := range unordered {
			if c, ok := out[k].(map[string]any); ok {
				if es, ok := c["edges"].([]any); ok {
					sort.SliceStable(es, func(i, j int) bool { return edgeLess(es[i], es[j], fields) })
				}
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canonical(e, instants)
		}
		return out
	default:
		return v
	}
}

// unordered are the connections sorted by canonical, with the fields that
// order their nodes when these have no ID.
var unordered = map[string][]string{
	"communities": {"name", "kind"},
	"objectives":  {"title", "category", "purpose"},
}

func edgeLess(a, b any, fields []string) bool {
	if ia, ib := nodeID(a), nodeID(b); ia != ib {
		return ia < ib
	}
	na, nb := edgeNode(a), edgeNode(b)
	for _, f := range fields {
		if sa, sb := fmt.Sprint(na[f]), fmt.Sprint(nb[f]); sa != sb {
			return sa < sb
		}
	}
	return false
}

func edgeNode(edge any) map[string]any {
	m, _ := edge.(map[string]any)
	n, _ := m["node"].(map[string]any)
	return n
}

func nodeID(edge any) int64 {
	s, _ := edgeNode(edge)["id"].(string)
	id, _ := strconv.ParseInt(s, 10, 64)
	return id
}

// fromPostGraphile rewrites PostGraphile's answers in Rencontre's shape.
func fromPostGraphile(op string, data any) any {
	m, _ := data.(map[string]any)
	get := func(v any, k string) any { mv, _ := v.(map[string]any); return mv[k] }
	nodes := func(v any) []any { n, _ := get(v, "nodes").([]any); return n }
	edgesOf := func(ns []any, f func(any) any) map[string]any {
		es := make([]any, 0, len(ns))
		for _, n := range ns {
			es = append(es, map[string]any{"node": f(n)})
		}
		return map[string]any{"edges": es}
	}
	switch op {
	case "P1":
		mt := get(m, "meetingByRowId")
		if mt == nil {
			return map[string]any{"node": nil}
		}
		return map[string]any{"node": map[string]any{
			"id": get(mt, "rowId"), "title": get(mt, "title"), "startsAt": get(mt, "startsAt"),
			"objectives": edgesOf(nodes(get(mt, "meetingObjectivesByMeetingId")), func(n any) any {
				o := get(n, "objectiveByObjectiveId")
				return map[string]any{"id": get(o, "rowId"), "title": get(o, "title"), "category": get(o, "category")}
			}),
			"participations": edgesOf(nodes(get(mt, "participationsByMeetingId")), func(n any) any {
				pe := get(n, "personByPersonId")
				return map[string]any{"id": get(n, "rowId"), "status": get(n, "status"), "role": get(n, "role"),
					"person": map[string]any{"id": get(pe, "rowId"), "name": get(pe, "name"),
						"communities": edgesOf(nodes(get(pe, "communityMembersByPersonId")), func(cm any) any {
							c := get(cm, "communityByCommunityId")
							return map[string]any{"id": get(c, "rowId"), "name": get(c, "name")}
						})}}
			}),
		}}
	case "P1b":
		return map[string]any{"meetings": edgesOf(nodes(get(m, "allMeetings")), func(n any) any {
			return map[string]any{"id": get(n, "rowId"), "title": get(n, "title"), "startsAt": get(n, "startsAt"),
				"participations": map[string]any{"totalCount": get(get(n, "participationsByMeetingId"), "totalCount")}}
		})}
	case "README Meetings":
		all := get(m, "allMeetings")
		page := edgesOf(nodes(all), func(n any) any {
			ps := get(n, "participationsByMeetingId")
			parts := edgesOf(nodes(ps), func(p any) any {
				pe := get(p, "personByPersonId")
				cs := get(pe, "communityMembersByPersonId")
				comms := edgesOf(nodes(cs), func(cm any) any {
					c := get(cm, "communityByCommunityId")
					return map[string]any{"name": get(c, "name"), "kind": get(c, "kind")}
				})
				comms["totalCount"] = get(cs, "totalCount")
				return map[string]any{"role": get(p, "role"), "status": get(p, "status"), "checkedInAt": get(p, "checkedInAt"),
					"person": map[string]any{"name": get(pe, "name"), "communities": comms}}
			})
			parts["totalCount"] = get(ps, "totalCount")
			return map[string]any{"id": get(n, "rowId"), "title": get(n, "title"), "format": get(n, "format"), "status": get(n, "status"),
				"startsAt": get(n, "startsAt"), "timeZone": get(n, "timeZone"),
				"objectives": edgesOf(nodes(get(n, "meetingObjectivesByMeetingId")), func(mo any) any {
					o := get(mo, "objectiveByObjectiveId")
					return map[string]any{"title": get(o, "title"), "category": get(o, "category"), "purpose": get(o, "purpose")}
				}),
				"participations": parts}
		})
		page["totalCount"] = get(all, "totalCount")
		return map[string]any{"meetings": page}
	case "participationRespond":
		// PostGraphile has no waiting list nor user errors: what it
		// answers is the participation's ID and status.
		p := get(get(m, "updateParticipationByRowId"), "participation")
		var part any
		if p != nil {
			part = map[string]any{"id": get(p, "rowId"), "status": get(p, "status")}
		}
		return map[string]any{"participationRespond": map[string]any{"participation": part, "waitlisted": false, "userErrors": []any{}}}
	}
	return nil
}

// sameContent compares two decoded answers, and says where they differ.
func sameContent(a, b any, instants bool) error {
	a, b = canonical(a, instants), canonical(b, instants)
	if reflect.DeepEqual(a, b) {
		return nil
	}
	return fmt.Errorf("first difference at %s", firstDiff("data", a, b))
}

func firstDiff(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %v vs %v", path, short(a), short(b))
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !reflect.DeepEqual(x[k], y[k]) {
				return firstDiff(path+"."+k, x[k], y[k])
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Sprintf("%s: %d elements vs %v", path, len(x), short(b))
		}
		for i := range x {
			if !reflect.DeepEqual(x[i], y[i]) {
				return firstDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i])
			}
		}
	}
	return fmt.Sprintf("%s: %v vs %v", path, short(a), short(b))
}

func short(v any) string {
	b, _ := json.Marshal(v)
	return truncate(b)
}
