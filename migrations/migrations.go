// Package migrations holds the versioned migrations of the database schema,
// embedded in the binary: postgres/ and sqlite/, each a directory of numbered
// SQL files in Atlas's format with its atlas.sum integrity file.
//
// The files are generated from the ent schema by generate.go, the last step
// of `go generate ./...`; they are reviewed and committed, never edited once
// released. internal/database applies them.
package migrations

import "embed"

// FS holds the postgres and sqlite directories.
//
//go:embed postgres sqlite
var FS embed.FS
