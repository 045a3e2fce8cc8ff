package main

// The single generation path: ent and the entgql schema first, then gqlgen.
//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate
