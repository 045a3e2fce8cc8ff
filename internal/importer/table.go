package importer

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// record is one data row of a file being read, with the checks of its cells.
type record struct {
	line   int
	cells  []string
	index  map[string]int
	errs   *errorList
	failed bool
}

// fail reports a problem of the row's cell in column.
func (r *record) fail(column, format string, args ...any) {
	r.errs.add(r.line, column, format, args...)
	r.failed = true
}

// cell returns the trimmed cell of column, and whether the file has the
// column; a cell that is not valid UTF-8 or holds a NUL is reported, and
// read as absent.
func (r *record) cell(column string) (string, bool) {
	i, present := r.index[column]
	if !present {
		return "", false
	}
	v := strings.TrimSpace(r.cells[i])
	switch {
	case !utf8.ValidString(v):
		r.fail(column, "is not valid UTF-8: save the file as UTF-8")
		return "", false
	case strings.ContainsRune(v, 0):
		r.fail(column, "must not contain a NUL character")
		return "", false
	}
	return v, true
}

// has reports whether the file has column.
func (r *record) has(column string) bool {
	_, ok := r.index[column]
	return ok
}

// readTable reads a CSV file whose header names some of columns (required
// ones included), and calls each for every data row, with the rules of
// ParseAll: blank rows are skipped, a row of another width or malformed CSV
// is an error of its row, at most MaxRows rows. It returns the errors found
// (those of each included). checkHeader, when set, adds the rules of the
// header beyond the required columns.
func readTable(r io.Reader, columns, required []string, checkHeader func(index map[string]int, errs *errorList), each func(*record)) Errors {
	cr := csv.NewReader(withoutBOM(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var errs errorList

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		errs.add(1, "", "the file is empty: its first line must be the header (%s)", strings.Join(columns, ","))
		return errs.result()
	}
	if err != nil {
		errs.add(1, "", "the header is not valid CSV: %s", csvMessage(err))
		return errs.result()
	}
	index, ok := readHeaderOf(header, columns, required, &errs)
	if ok && checkHeader != nil {
		checkHeader(index, &errs)
		ok = len(errs.errs) == 0
	}
	if !ok {
		return errs.result()
	}
	width, data := len(header), 0
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			errs.add(perr.StartLine, "", "not valid CSV: %s", csvMessage(err))
			continue
		}
		if err != nil {
			errs.add(0, "", "the file could not be read: %v", err)
			break
		}
		line, _ := cr.FieldPos(0)
		if blank(cells) {
			continue
		}
		data++
		if data > MaxRows {
			errs.add(line, "", "the file has more than %d rows: split it", MaxRows)
			break
		}
		if len(cells) != width {
			errs.add(line, "", "has %d cells, the header has %d", len(cells), width)
			continue
		}
		each(&record{line: line, cells: cells, index: index, errs: &errs})
	}
	if len(errs.errs) == 0 && data == 0 {
		errs.add(1, "", "the file has a header but no rows")
	}
	if len(errs.errs) == 0 {
		return nil
	}
	return errs.result()
}
