// Package validation holds the field rules of the Rencontre model and the error
// type that carries a broken rule to the API as a user error.
//
// The ent schema calls these validators, so every path to the data (GraphQL,
// the demo loader, tests) gets the same rules and the same messages.
package validation

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	_ "time/tzdata" // IANA zones even where the system has none (containers)

	"golang.org/x/text/currency"
)

// Code values carried by Error, stable for clients.
const (
	CodeInvalid  = "INVALID"
	CodeRequired = "REQUIRED"
	CodeNotFound = "NOT_FOUND"
	CodeTaken    = "TAKEN"
	CodeConflict = "CONFLICT"
)

// Error is a broken rule on one field.
//
// Field is the field's name in the model, as ent names it (snake_case:
// "ends_at", "time_zone", "meeting_id", "person_ids"), or the snake_case name
// of a domain verb's argument ("token_name"); the GraphQL layer turns it into
// the input field's name and path. Nothing below that layer knows GraphQL
// names.
//
// Message says what is wrong in plain words, without naming Field (the
// presentation puts the field's name in front of it) and without any
// GraphQL identifier: "must be after the start (…)", "no meeting with ID 5".
// Other fields are named in words ("the start", "a budget amount").
type Error struct {
	Field   string
	Code    string
	Message string
}

// Error implements error; it returns Message.
func (e *Error) Error() string { return e.Message }

// Invalid returns an Error with code INVALID on the model field field and a
// formatted message.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Field: field, Code: CodeInvalid, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an Error with code NOT_FOUND on the model field field, for a
// missing referenced record.
func NotFound(field, format string, args ...any) *Error {
	return &Error{Field: field, Code: CodeNotFound, Message: fmt.Sprintf(format, args...)}
}

// As reports whether err carries a validation Error and returns it.
func As(err error) (*Error, bool) {
	var ve *Error
	if errors.As(err, &ve) {
		return ve, true
	}
	return nil, false
}

// NotBlank rejects empty or whitespace-only strings.
func NotBlank(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

// MaxLen returns a validator that rejects strings longer than n characters.
func MaxLen(n int) func(string) error {
	return func(s string) error {
		if len([]rune(s)) > n {
			return fmt.Errorf("must be at most %d characters", n)
		}
		return nil
	}
}

// Title is the rule for names and titles: not blank, at most 200 characters.
func Title(s string) error {
	if err := NotBlank(s); err != nil {
		return err
	}
	return MaxLen(200)(s)
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Slug accepts lower-case words of letters and digits joined by single hyphens.
func Slug(s string) error {
	if !slugPattern.MatchString(s) || len(s) > 63 {
		return fmt.Errorf("%q is not a slug (lower-case letters, digits and single hyphens, at most 63 characters)", s)
	}
	return nil
}

// Email accepts a bare address such as ana@example.org.
func Email(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return fmt.Errorf("%q is not a valid email address", s)
	}
	return nil
}

// NormalizeEmail is the stored form of an email: trimmed and lower-cased, so that
// uniqueness per organization is case-insensitive.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// TimeZone accepts IANA time zone names such as Europe/Paris.
func TimeZone(s string) error {
	if s == "" || s == "Local" {
		return fmt.Errorf("%q is not an IANA time zone", s)
	}
	if _, err := time.LoadLocation(s); err != nil {
		return fmt.Errorf("%q is not an IANA time zone", s)
	}
	return nil
}

// Currency accepts ISO 4217 currency codes such as EUR.
func Currency(s string) error {
	u, err := currency.ParseISO(s)
	if err != nil || u.String() != s {
		return fmt.Errorf("%q is not an ISO 4217 currency code", s)
	}
	return nil
}

// Positive rejects zero and negative integers.
func Positive(n int) error {
	if n < 1 {
		return fmt.Errorf("must be at least 1, got %d", n)
	}
	return nil
}

// NonNegative rejects negative amounts.
func NonNegative(f float64) error {
	if f < 0 {
		return fmt.Errorf("must not be negative, got %v", f)
	}
	return nil
}

// Rating accepts whole ratings from 1 to 5.
func Rating(n int) error {
	if n < 1 || n > 5 {
		return fmt.Errorf("must be between 1 and 5, got %d", n)
	}
	return nil
}

// Tags rejects blank tags and more than 50 of them.
func Tags(tags []string) error {
	if len(tags) > 50 {
		return errors.New("must hold at most 50 tags")
	}
	for _, t := range tags {
		if strings.TrimSpace(t) == "" {
			return errors.New("must not contain an empty tag")
		}
	}
	return nil
}
