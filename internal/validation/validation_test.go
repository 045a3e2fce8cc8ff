package validation

import (
	"strings"
	"testing"
)

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		wantErr string // empty: valid
	}{
		{"a title is accepted", Title("Kick-off"), ""},
		{"a blank title is refused", Title("   "), "must not be empty"},
		{"a title over 200 characters is refused", Title(strings.Repeat("x", 201)), "at most 200"},
		{"a slug of words and hyphens is accepted", Slug("alder-finch-2"), ""},
		{"a slug with capitals is refused", Slug("Alder"), "is not a slug"},
		{"a slug with a double hyphen is refused", Slug("a--b"), "is not a slug"},
		{"a bare email is accepted", Email("ana@example.org"), ""},
		{"an email with a display name is refused", Email("Ana <ana@example.org>"), "not a valid email"},
		{"an email without a domain dot is refused", Email("ana@localhost"), "not a valid email"},
		{"an IANA zone is accepted", TimeZone("Europe/Paris"), ""},
		{"a misspelt zone is refused", TimeZone("Europe/Pariss"), `"Europe/Pariss" is not an IANA time zone`},
		{"the Local zone is refused", TimeZone("Local"), "is not an IANA time zone"},
		{"an ISO 4217 code is accepted", Currency("EUR"), ""},
		{"a lower-case code is refused", Currency("eur"), "is not an ISO 4217"},
		{"an unknown code is refused", Currency("ABC"), "is not an ISO 4217"},
		{"a rating of 5 is accepted", Rating(5), ""},
		{"a rating of 6 is refused", Rating(6), "between 1 and 5"},
		{"a capacity of 0 is refused", Positive(0), "at least 1"},
		{"a negative budget is refused", NonNegative(-1), "must not be negative"},
		{"an empty tag is refused", Tags([]string{"a", " "}), "empty tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			switch {
			case tc.wantErr == "" && tc.err != nil:
				t.Fatalf("unexpected error: %v", tc.err)
			case tc.wantErr != "" && (tc.err == nil || !strings.Contains(tc.err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want one containing %q", tc.err, tc.wantErr)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got := NormalizeEmail("  Ana.Martin@Example.ORG "); got != "ana.martin@example.org" {
		t.Fatalf("NormalizeEmail = %q", got)
	}
}
