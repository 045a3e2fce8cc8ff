package main

// The single generation path: ent and the entgql schema first, then gqlgen
// and the rewrite of its executor to serial list execution (see
// internal/tools/sequential), then the versioned migrations from the ent
// schema (needs the local PostgreSQL, as the tests: see
// migrations/generate.go).
//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate
//go:generate go run -mod=mod ./internal/tools/sequential graph/generated.go
//go:generate go run -mod=mod ./migrations/generate.go
