package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/timeline"
)

// timelineConnection is the GraphQL page of a timeline page: one concrete
// entry type per kind of record.
func timelineConnection(page *timeline.Page) *TimelineConnection {
	conn := &TimelineConnection{
		Edges:      make([]*TimelineEdge, len(page.Entries)),
		PageInfo:   &ent.PageInfo{HasNextPage: page.HasNextPage},
		TotalCount: page.TotalCount,
	}
	for i, e := range page.Entries {
		kind := TimelineKind(e.Kind)
		var phase *TimelinePhase
		if e.Phase != nil {
			p := TimelinePhase(*e.Phase)
			phase = &p
		}
		var node TimelineEntry
		switch {
		case e.Participation != nil:
			node = &TimelineParticipationEntry{At: e.At, Kind: kind, Phase: phase, Meeting: e.Meeting, Participation: e.Participation}
		case e.Encounter != nil:
			node = &TimelineEncounterEntry{At: e.At, Kind: kind, Phase: phase, Meeting: e.Meeting, Encounter: e.Encounter, Other: e.Other}
		case e.Feedback != nil:
			node = &TimelineFeedbackEntry{At: e.At, Kind: kind, Phase: phase, Meeting: e.Meeting, Feedback: e.Feedback}
		case e.FollowUp != nil:
			node = &TimelineFollowUpEntry{At: e.At, Kind: kind, Phase: phase, Meeting: e.Meeting, FollowUp: e.FollowUp, Owner: e.Owner}
		default:
			node = &TimelineTouchpointEntry{At: e.At, Kind: kind, Phase: phase, Meeting: e.Meeting, Touchpoint: e.Touchpoint}
		}
		conn.Edges[i] = &TimelineEdge{Node: node, Cursor: e.Cursor}
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn
}

// selectsField reports whether the field being resolved selects name
// (through fragments and aliases); true outside an operation.
func selectsField(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return true
	}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}
