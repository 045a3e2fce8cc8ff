package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/rencontre/rencontre/graph/scalar"
	"github.com/rencontre/rencontre/internal/importer"
)

// DefaultMaxUploadBytes is the default of Options.MaxUploadBytes: a CSV file
// of 100,000 people fits.
const DefaultMaxUploadBytes = 10 << 20

// uploadMemory is how much of a multipart request is kept in memory; the
// rest of its files goes to temporary files, removed after the request.
const uploadMemory = 1 << 20

// Files are sent as multipart requests (the GraphQL multipart request
// specification, https://github.com/jaydenseric/graphql-multipart-request-spec):
// an "operations" part holding the JSON request, whose variables give each
// file as null, a "map" part naming the file part of each such variable, and
// the file parts. multipartRequests turns such a request into the JSON
// request of its operations part, which then goes through every check of a
// JSON request (media types, body limit, decoding, authentication) and is
// answered as one; attachUploads puts the files into its variables once it is
// decoded. Only the whole multipart request is allowed the larger upload
// limit: its operations part keeps the limit of JSON bodies.
//
// gqlgen's own transport.MultipartForm is not used: like its POST transport
// (see http.go), it answers outside GraphQL over HTTP's statuses and media
// types, and it would bypass the checks that JSON requests get.

// MarshalUpload writes an Upload, which only clients send (gqlgen.yml binds
// the scalar Upload to these functions).
func MarshalUpload(u graphql.Upload) graphql.Marshaler { return graphql.MarshalUpload(u) }

// UnmarshalUpload reads an Upload: a file that attachUploads put into the
// variables. Any other value, such as a string sent in JSON, is refused as
// malformed input.
func UnmarshalUpload(v any) (graphql.Upload, error) {
	if u, ok := v.(graphql.Upload); ok {
		return u, nil
	}
	return graphql.Upload{}, &scalar.Error{Message: "an Upload is a file sent as a part of a multipart request (GraphQL multipart request specification), not a value in the JSON request"}
}

type uploadsKey struct{}

// upload is one file of a multipart request and the variables it fills.
type upload struct {
	file  graphql.Upload
	paths []string // "variables.input.file"
}

// multipartRequests reads the multipart POST requests of at most limit bytes
// and hands their operations on as a JSON request; other requests pass as
// they are.
func multipartRequests(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.Method != http.MethodPost || mt != "multipart/form-data" {
			next.ServeHTTP(w, r)
			return
		}
		mediaType, ok := negotiate(r.Header.Values("Accept"))
		if !ok {
			mediaType = defaultMediaType
		}
		fail := func(status int, code, message string) {
			AccessRecordFrom(r.Context()).addCodes(code)
			w.Header().Add("Vary", "Accept")
			writeErrorBody(w, mediaType, status, code, message)
		}
		tooLarge := fmt.Sprintf("the multipart request is larger than the upload limit of %d bytes", limit)
		if r.ContentLength > limit {
			fail(http.StatusRequestEntityTooLarge, codeTooLarge, tooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseMultipartForm(uploadMemory); err != nil {
			var max *http.MaxBytesError
			if errors.As(err, &max) {
				fail(http.StatusRequestEntityTooLarge, codeTooLarge, tooLarge)
				return
			}
			fail(http.StatusBadRequest, codeBadRequest, "the multipart request could not be read: send the parts operations, map and the files (GraphQL multipart request specification)")
			return
		}
		form := r.MultipartForm
		defer func() { _ = form.RemoveAll() }()
		uploads, operations, msg := readMultipart(form)
		for _, u := range uploads {
			defer func() { _ = u.file.File.(io.Closer).Close() }()
		}
		if msg != "" {
			fail(http.StatusBadRequest, codeBadRequest, msg)
			return
		}
		jr := r.Clone(context.WithValue(r.Context(), uploadsKey{}, uploads))
		jr.Body = io.NopCloser(strings.NewReader(operations))
		jr.ContentLength = int64(len(operations))
		jr.Header.Set("Content-Type", mediaJSON)
		jr.MultipartForm = nil
		next.ServeHTTP(w, jr)
	})
}

// readMultipart returns the operations and the files of a multipart request,
// or why the request is malformed. The files returned are open, also with a
// message.
func readMultipart(form *multipart.Form) (uploads []upload, operations, msg string) {
	ops := form.Value["operations"]
	if len(ops) != 1 {
		return nil, "", "the multipart request must have one operations part: the JSON request, whose variables give each file as null"
	}
	maps := form.Value["map"]
	if len(maps) != 1 {
		return nil, "", `the multipart request must have one map part: a JSON object such as {"0": ["variables.input.file"]}`
	}
	var fileMap map[string][]string
	if err := json.Unmarshal([]byte(maps[0]), &fileMap); err != nil {
		return nil, "", `the map part must be a JSON object of file part names to lists of variable paths, such as {"0": ["variables.input.file"]}`
	}
	for key, paths := range fileMap {
		files := form.File[key]
		if len(files) != 1 {
			return uploads, "", fmt.Sprintf("the map names the file part %s, which the request has %d times (send it once)", strconv.Quote(truncate(key, 40)), len(files))
		}
		for _, p := range paths {
			if !strings.HasPrefix(p, "variables.") {
				return uploads, "", fmt.Sprintf("the map path %s does not start with variables.", strconv.Quote(truncate(p, 80)))
			}
		}
		f, err := files[0].Open()
		if err != nil {
			return uploads, "", "the file part " + strconv.Quote(truncate(key, 40)) + " could not be read"
		}
		uploads = append(uploads, upload{
			file: graphql.Upload{
				File: f, Filename: files[0].Filename, Size: files[0].Size,
				ContentType: files[0].Header.Get("Content-Type"),
			},
			paths: paths,
		})
	}
	return uploads, ops[0], ""
}

// attachUploads puts the files of a multipart request into the variables of
// the request decodeRequest decoded, at the paths of its map part.
func attachUploads(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uploads, _ := r.Context().Value(uploadsKey{}).([]upload)
		req := httpRequestFrom(r.Context())
		for _, u := range uploads {
			for _, p := range u.paths {
				if err := setVariable(req.params.Variables, strings.TrimPrefix(p, "variables."), u.file); err != nil {
					writeRequestError(w, r, http.StatusBadRequest, codeBadRequest, "the map path "+strconv.Quote(truncate(p, 80))+" "+err.Error())
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// setVariable sets the value at a dotted path of variables ("input.file",
// "input.files.0"), where the operations part has null.
func setVariable(variables map[string]any, path string, value any) error {
	keys := strings.Split(path, ".")
	var parent any = variables
	for i, key := range keys {
		last := i == len(keys)-1
		switch p := parent.(type) {
		case map[string]any:
			v, ok := p[key]
			if !ok {
				return errors.New("names no variable of the operations")
			}
			if last {
				if v != nil {
					return errors.New("names a variable that is not null in the operations")
				}
				p[key] = value
				return nil
			}
			parent = v
		case []any:
			n, err := strconv.Atoi(key)
			if err != nil || n < 0 || n >= len(p) {
				return errors.New("names no variable of the operations")
			}
			if last {
				if p[n] != nil {
					return errors.New("names a variable that is not null in the operations")
				}
				p[n] = value
				return nil
			}
			parent = p[n]
		default:
			return errors.New("names no variable of the operations")
		}
	}
	return errors.New("names no variable of the operations")
}

// invalidImport is the payload of a file with errors: nothing imported, every
// error listed, and one user error on the file that sums them up (which makes
// the transaction roll back).
func invalidImport(errs importer.Errors) *PeopleImportPayload {
	return &PeopleImportPayload{Errors: importErrors(errs), UserErrors: invalidFile(errs)}
}

// importErrors are the errors of an invalid file, as the API lists them.
func importErrors(errs importer.Errors) []*ImportError {
	out := make([]*ImportError, len(errs))
	for i, e := range errs {
		ie := &ImportError{Row: e.Row, Message: e.Message}
		if e.Column != "" {
			ie.Column = &e.Column
		}
		out[i] = ie
	}
	return out
}

// invalidFile is the user error of an invalid file, on the file.
func invalidFile(errs importer.Errors) []*UserError {
	return []*UserError{{
		Field:   []string{"input", "file"},
		Message: fieldMessage("file", fmt.Sprintf("has %d errors, listed in errors with their rows and columns: nothing was imported", len(errs))),
		Code:    UserErrorCodeInvalid,
	}}
}

// rewind seeks an uploaded file to its start: a retried transaction reads it
// again.
func rewind(u graphql.Upload) error {
	if _, err := u.File.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewinding the uploaded file: %w", err)
	}
	return nil
}
