// Package importer imports the people of an organization from a CSV file, as
// HR systems export them: every row is checked first, and a file with any
// invalid row imports nothing and reports every error with its row and
// column. Importing the same file again changes nothing (people are matched
// on their email, regardless of case); a changed file updates the people it
// names. The writes are bulk statements of up to BatchSize rows.
//
// The file is CSV (RFC 4180, comma-separated, UTF-8, a byte order mark
// tolerated) whose first line is the header. Columns, in any order, named
// regardless of case:
//
//	name         required, the full name
//	email        required, unique in the file; matches an existing person
//	phone        optional, at most 40 characters
//	company      optional, at most 200 characters
//	job_title    optional, at most 200 characters
//	tags         optional, separated by ";" (at most 50)
//	communities  optional, community names separated by ";"
//	vip          optional, true or false (also yes/no, 1/0); empty is false
//
// An optional column present in the header is the truth for every person of
// the file: an empty cell clears the field. A column absent from the header
// leaves that field of existing people as it is. Communities are added, never
// removed: a person keeps the memberships the file does not name. A community
// the organization does not have is an error of the rows that name it, unless
// the import is asked to create the missing communities (as teams).
package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rencontre/rencontre/internal/validation"
)

// Limits of one file.
const (
	// MaxRows is the most data rows of one file.
	MaxRows = 100_000
	// MaxErrors is the most errors reported for one file; past it, one
	// last error says that more were left out.
	MaxErrors = 1000
)

// Column names of the header.
const (
	ColumnName        = "name"
	ColumnEmail       = "email"
	ColumnPhone       = "phone"
	ColumnCompany     = "company"
	ColumnJobTitle    = "job_title"
	ColumnTags        = "tags"
	ColumnCommunities = "communities"
	ColumnVIP         = "vip"
)

// Columns are the columns a file may have, required ones first.
var Columns = []string{ColumnName, ColumnEmail, ColumnPhone, ColumnCompany, ColumnJobTitle, ColumnTags, ColumnCommunities, ColumnVIP}

// Row is one valid data row of a file. Optional fields are nil when the file
// has no such column (the field of an existing person is then left as it
// is); an empty cell is a non-nil empty value, which clears the field.
type Row struct {
	// Row is the line of the file where the row starts; the header is 1.
	Row         int
	Name        string
	Email       string // normalized: trimmed and lower-cased
	Phone       *string
	Company     *string
	JobTitle    *string
	Tags        []string // nil: no tags column; empty: no tags
	Communities []string // names, added to the person's memberships
	VIP         *bool
}

// RowError is one problem of a file.
type RowError struct {
	// Row is the line of the file where the row starts; the header is 1.
	Row int
	// Column is the header name of the faulty cell, "" when the problem is
	// not one cell's (a malformed line, too many rows).
	Column string
	// Message says what is wrong, without naming the column.
	Message string
}

// Error implements error.
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	}
	return fmt.Sprintf("row %d, %s: %s", e.Row, e.Column, e.Message)
}

// Errors are the problems of an invalid file: nothing of it was imported.
type Errors []RowError

// Error implements error.
func (e Errors) Error() string {
	if len(e) == 1 {
		return "the file has an error: " + e[0].Error()
	}
	return fmt.Sprintf("the file has %d errors, the first: %s", len(e), e[0].Error())
}

// errorList collects errors up to MaxErrors.
type errorList struct {
	errs    Errors
	dropped int
}

func (l *errorList) add(row int, column, format string, args ...any) {
	if len(l.errs) >= MaxErrors {
		l.dropped++
		return
	}
	l.errs = append(l.errs, RowError{Row: row, Column: column, Message: fmt.Sprintf(format, args...)})
}

func (l *errorList) result() Errors {
	if l.dropped > 0 {
		l.errs = append(l.errs, RowError{Message: fmt.Sprintf("%d more errors are not listed (at most %d are)", l.dropped, MaxErrors)})
	}
	return l.errs
}

// Parse reads and checks a whole file with the rules of the model
// (internal/validation). It returns the rows when the file is valid, or
// every error it found (up to MaxErrors) and no rows.
func Parse(r io.Reader) ([]Row, Errors) {
	rows, errs := ParseAll(r)
	if errs != nil {
		return nil, errs
	}
	return rows, nil
}

// ParseAll is Parse that returns the valid rows of an invalid file too, for
// the checks that need the database (AllErrors); nothing is to be imported
// from an invalid file.
func ParseAll(r io.Reader) ([]Row, Errors) {
	var (
		rows   []Row
		emails = map[string]int{} // email: row where it first appears
	)
	errs := readTable(r, Columns, []string{ColumnName, ColumnEmail}, nil, func(rec *record) {
		row, ok := parseRow(rec.line, rec.cells, rec.index, rec.errs)
		// Also checked on rows with other errors, so that every error shows.
		if validation.Email(row.Email) == nil {
			if first, dup := emails[row.Email]; dup {
				rec.errs.add(rec.line, ColumnEmail, "%s is already on row %d: each person appears once", row.Email, first)
				ok = false
			} else {
				emails[row.Email] = rec.line
			}
		}
		if ok {
			rows = append(rows, row)
		}
	})
	// On an invalid file the valid rows come too, for the checks that need
	// the database (AllErrors); nothing is imported.
	return rows, errs
}

// withoutBOM skips the UTF-8 byte order mark that spreadsheets write first.
func withoutBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	}
	return br
}

// readHeaderOf maps each of columns to its position in header, reporting
// unknown, repeated and missing required columns.
func readHeaderOf(header, columns, required []string, errs *errorList) (map[string]int, bool) {
	index := map[string]int{}
	var unknown []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		_, dup := index[name]
		switch {
		case !slices.Contains(columns, name):
			unknown = append(unknown, h)
		case dup:
			errs.add(1, name, "the column appears twice in the header")
		default:
			index[name] = i
		}
	}
	for _, u := range unknown {
		errs.add(1, u, "unknown column %q: the columns are %s", truncate(u, 40), strings.Join(columns, ", "))
	}
	for _, r := range required {
		if _, ok := index[r]; !ok {
			errs.add(1, r, "the header has no %s column, which is required", r)
		}
	}
	return index, len(errs.errs) == 0
}

func blank(record []string) bool {
	for _, c := range record {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// parseRow checks every cell of one record, reporting each faulty one.
func parseRow(line int, record []string, index map[string]int, errs *errorList) (Row, bool) {
	row := Row{Row: line}
	ok := true
	fail := func(column, format string, args ...any) {
		errs.add(line, column, format, args...)
		ok = false
	}
	cell := func(column string) (string, bool) {
		i, present := index[column]
		if !present {
			return "", false
		}
		v := strings.TrimSpace(record[i])
		switch {
		case !utf8.ValidString(v):
			fail(column, "is not valid UTF-8: save the file as UTF-8")
			return "", false
		case strings.ContainsRune(v, 0):
			fail(column, "must not contain a NUL character")
			return "", false
		}
		return v, true
	}
	optional := func(column string, rule func(string) error) *string {
		v, present := cell(column)
		if !present {
			return nil
		}
		if err := rule(v); err != nil {
			fail(column, "%v", err)
		}
		return &v
	}

	if name, present := cell(ColumnName); present {
		if name == "" {
			fail(ColumnName, "is required")
		} else if err := validation.Title(name); err != nil {
			fail(ColumnName, "%v", err)
		}
		row.Name = name
	}
	if email, present := cell(ColumnEmail); present {
		email = validation.NormalizeEmail(email)
		if email == "" {
			fail(ColumnEmail, "is required")
		} else if err := validation.Email(email); err != nil {
			fail(ColumnEmail, "%v", err)
		}
		row.Email = email
	}
	row.Phone = optional(ColumnPhone, validation.MaxLen(40))
	row.Company = optional(ColumnCompany, validation.MaxLen(200))
	row.JobTitle = optional(ColumnJobTitle, validation.MaxLen(200))
	if v, present := cell(ColumnTags); present {
		row.Tags = splitList(v, strings.EqualFold)
		if err := validation.Tags(row.Tags); err != nil {
			fail(ColumnTags, "%v", err)
		}
	}
	if v, present := cell(ColumnCommunities); present {
		row.Communities = splitList(v, strings.EqualFold)
		for _, c := range row.Communities {
			if err := validation.Title(c); err != nil {
				fail(ColumnCommunities, "community %q: %v", truncate(c, 40), err)
			}
		}
	}
	if v, present := cell(ColumnVIP); present {
		vip, err := parseBool(v)
		if err != nil {
			fail(ColumnVIP, "%v", err)
		}
		row.VIP = &vip
	}
	return row, ok
}

// splitList splits a cell of ";"-separated values, trimmed, without empty
// values or repeats (same as compares two values).
func splitList(cell string, same func(a, b string) bool) []string {
	out := []string{}
	for part := range strings.SplitSeq(cell, ";") {
		part = strings.TrimSpace(part)
		if part == "" || slices.ContainsFunc(out, func(o string) bool { return same(o, part) }) {
			continue
		}
		out = append(out, part)
	}
	return out
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "false", "no", "0":
		return false, nil
	case "true", "yes", "1":
		return true, nil
	}
	return false, fmt.Errorf("%q is not true or false (or empty)", truncate(s, 40))
}

// csvMessage is the problem of a CSV syntax error, without its position
// (the row is reported beside it) but with the column of the character.
func csvMessage(err error) string {
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		return fmt.Sprintf("%v (line %d, character %d)", perr.Err, perr.Line, perr.Column)
	}
	return err.Error()
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
