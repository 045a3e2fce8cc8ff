package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/auth"
)

// maxInvitationBody bounds the body of an invitation answer: a code is some
// forty characters.
const maxInvitationBody = 4 << 10

// answerAttempts bounds how often an answer runs when a concurrent one made
// its transaction fail on a constraint (two invitations of a new email
// accepted at once both creating its account): a later attempt sees the
// other's work.
const answerAttempts = 3

// Invitations returns the public routes with which an invitee answers an
// invitation with its one-time code, without an API token (holding the code
// proves the invited email):
//
//	POST /invitations/accept   {"code": "rci_…"}  joins; returns a new API token
//	POST /invitations/decline  {"code": "rci_…"}  declines
//
// Errors are GraphQL-shaped ({"errors":[{"message","extensions":{"code"}}]}):
// 400 BAD_USER_INPUT, 404 NOT_FOUND (no pending invitation has the code),
// 409 CONFLICT (the account is already a member), 410 EXPIRED. now is the
// clock.
func Invitations(client *ent.Client, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var answer func(ctx context.Context, tx *ent.Client, code string) (any, error)
		switch r.URL.Path {
		case "/invitations/accept":
			answer = func(ctx context.Context, tx *ent.Client, code string) (any, error) {
				a, err := auth.AcceptInvitation(ctx, tx, code, now())
				if err != nil {
					return nil, err
				}
				return acceptedBody(a), nil
			}
		case "/invitations/decline":
			answer = func(ctx context.Context, tx *ent.Client, code string) (any, error) {
				_, org, err := auth.DeclineInvitation(ctx, tx, code, now())
				if err != nil {
					return nil, err
				}
				return map[string]any{"status": "DECLINED", "organization": organizationBody(org)}, nil
			}
		default:
			writeInvitationError(w, http.StatusNotFound, "NOT_FOUND", "no such route: POST /invitations/accept or /invitations/decline")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeInvitationError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use POST with a JSON body {\"code\": \"…\"}")
			return
		}
		var in struct {
			Code string `json:"code"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxInvitationBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			writeInvitationError(w, http.StatusBadRequest, "BAD_USER_INPUT", "the body must be a JSON object {\"code\": \"…\"}")
			return
		}
		code := strings.TrimSpace(in.Code)
		if code == "" {
			writeInvitationError(w, http.StatusBadRequest, "BAD_USER_INPUT", "code is required: the invitation code from the invitation")
			return
		}
		body, err := answerInTx(r.Context(), client, code, answer)
		switch {
		case err == nil:
			writeJSON(w, http.StatusOK, body)
		case errors.Is(err, auth.ErrInvitationNotFound):
			writeInvitationError(w, http.StatusNotFound, "NOT_FOUND", err.Error())
		case errors.Is(err, auth.ErrInvitationExpired):
			writeInvitationError(w, http.StatusGone, "EXPIRED", err.Error())
		case errors.Is(err, auth.ErrAlreadyMember):
			writeInvitationError(w, http.StatusConflict, "CONFLICT", err.Error())
		default:
			slog.ErrorContext(r.Context(), "answering an invitation", "path", r.URL.Path, "error", err)
			writeInvitationError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal server error")
		}
	})
}

// answerInTx runs answer in a transaction, committed when it succeeds, and
// again when a concurrent answer made it fail on a constraint.
func answerInTx(ctx context.Context, client *ent.Client, code string,
	answer func(ctx context.Context, tx *ent.Client, code string) (any, error)) (any, error) {
	for attempt := 1; ; attempt++ {
		tx, err := client.Tx(ctx)
		if err != nil {
			return nil, err
		}
		body, err := answer(ctx, tx.Client(), code)
		if err != nil {
			if rerr := tx.Rollback(); rerr != nil {
				slog.ErrorContext(ctx, "rolling back an invitation answer", "error", rerr)
			}
			if ent.IsConstraintError(err) && attempt < answerAttempts {
				continue
			}
			return nil, err
		}
		if err := tx.Commit(); err != nil {
			return nil, err
		}
		return body, nil
	}
}

// acceptedBody is the answer to an accepted invitation. IDs are strings, as
// in the GraphQL API.
func acceptedBody(a *auth.Accepted) map[string]any {
	return map[string]any{
		"token":        a.Secret,
		"tokenPrefix":  a.Token.Prefix,
		"role":         string(a.Membership.Role),
		"membershipID": strconv.Itoa(a.Membership.ID),
		"organization": organizationBody(a.Organization),
		"account": map[string]any{
			"id":    strconv.Itoa(a.Account.ID),
			"email": a.Account.Email,
			"name":  a.Account.Name,
		},
	}
}

func organizationBody(org *ent.Organization) map[string]any {
	return map[string]any{"id": strconv.Itoa(org.ID), "name": org.Name, "slug": org.Slug}
}

// writeInvitationError writes a GraphQL-shaped error, like the API's own.
func writeInvitationError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"message":    message,
		"extensions": map[string]any{"code": code},
	}}})
}
