//go:build ignore

// Command entc generates the ent model and the entgql GraphQL schema
// (schema/ent.graphql). It is run by `go generate ./...` from the module root.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	"github.com/rencontre/rencontre/internal/schemadoc"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("./gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("./schema/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithSchemaHook(schemadoc.Describe),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./ent/schema", &gen.Config{
		Target:  "./ent",
		Package: "github.com/rencontre/rencontre/ent",
		Features: []gen.Feature{
			gen.FeatureGlobalID,
			gen.FeatureUpsert,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureIntercept,
		},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
